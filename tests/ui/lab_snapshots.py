"""What the training lab sends the explorer, made by the real engine for tests."""

from cnnviz.core.train import (
    GradientSnapshot, ModelConfig, RunConfig, RunStarted, StepRecord, load_dataset, train,
)


def one_step_snapshot(model: ModelConfig, images: int, run: str,
                      input_shape: tuple[int, int, int] | None = None) -> GradientSnapshot:
    """The gradient norms of one optimiser step of ``model`` on ``images`` 32x32 shapes
    (one batch), as the lab hands them to the explorer."""
    config = RunConfig(models=(model,), dataset="shapes", num_classes=3, image_size=32,
                       train_size=images, val_size=4, batch_size=images, steps=1,
                       device="cpu", validate=False)
    data = load_dataset("shapes", num_classes=3, image_size=32, train_size=images, val_size=4)
    names, last = (), None
    for record in train(config, data=data):
        if isinstance(record, RunStarted):
            names = record.models[0].layer_names
        elif isinstance(record, StepRecord):
            last = record
    return GradientSnapshot(model=model.label, arch=model.arch, options={}, layer_names=names,
                            norms=last.grad_norms, step=last.step, run=run,
                            input_shape=input_shape)
