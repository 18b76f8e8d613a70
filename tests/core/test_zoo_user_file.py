"""A user's own model: ``path/to/file.py:ClassName`` and every way it can go wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn

from cnnviz.core.errors import ArchError
from cnnviz.core.zoo import list_file_models, resolve

GOOD = '''
import torch
from torch import nn

from helpers import WIDTH


class Block(nn.Module):
    def __init__(self, c=WIDTH):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x))


class TinyNet(nn.Module):
    """A tiny network for grey digits.

    Second paragraph that is not part of the note.
    """

    input_shape = (1, 28, 28)

    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(1, WIDTH, 3, padding=1)
        self.block = Block()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(WIDTH, num_classes)

    def forward(self, x):
        return self.fc(self.pool(self.block(self.stem(x))).flatten(1))


class FixedHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.fc = nn.Linear(4, 7)

    def forward(self, x):
        return self.fc(self.conv(x).mean((2, 3)))


class NeedsDepth(nn.Module):
    def __init__(self, depth, width=8):
        super().__init__()


class Exploding(nn.Module):
    def __init__(self):
        super().__init__()
        raise ValueError("width must be even")


def helper():
    return 3


NOT_A_MODULE = 42


class Plain:
    pass


if __name__ == "__main__":
    raise SystemExit("the training script part must not run")
'''


@pytest.fixture()
def model_dir(tmp_path: Path) -> Path:
    (tmp_path / "helpers.py").write_text("WIDTH = 8\n")
    (tmp_path / "nets.py").write_text(GOOD)
    return tmp_path


def test_good_file_resolves_and_builds(model_dir):
    spec = resolve(f"{model_dir / 'nets.py'}:TinyNet")
    assert spec.source == "file" and spec.display_name == "TinyNet"
    assert spec.input_shape == (1, 28, 28) and spec.num_classes == 10
    assert spec.note == "A tiny network for grey digits."
    model = spec.build(num_classes=4)
    assert model(torch.randn(2, 1, 28, 28)).shape == (2, 4)


def test_good_file_builds_on_meta(model_dir):
    spec = resolve(f"{model_dir / 'nets.py'}:TinyNet")
    with torch.device("meta"):
        model = spec.build()
    assert all(p.device.type == "meta" for p in model.parameters())


def test_fixed_head_keeps_its_class_count_and_guesses_the_input(model_dir):
    spec = resolve(f"{model_dir / 'nets.py'}:FixedHead")
    assert spec.num_classes == 7 and spec.input_shape == (3, 224, 224)
    assert isinstance(spec.build(), nn.Module)
    with pytest.raises(ArchError, match="class count stays 7"):
        spec.build(num_classes=3)


def test_list_file_models_names_only_the_files_own_modules(model_dir):
    assert list_file_models(model_dir / "nets.py") == [
        "Block", "TinyNet", "FixedHead", "NeedsDepth", "Exploding"]


def test_missing_file(tmp_path):
    with pytest.raises(ArchError, match="does not exist"):
        resolve(f"{tmp_path / 'nope.py'}:Net")
    with pytest.raises(ArchError, match="does not exist"):
        list_file_models(tmp_path / "nope.py")


def test_syntax_error_quotes_the_line_and_message(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import torch\n\nclass Net(nn.Module:\n    pass\n")
    with pytest.raises(ArchError) as err:
        resolve(f"{path}:Net")
    message = str(err.value)
    assert "broken.py" in message and "syntax error on line 3" in message
    assert "never closed" in message or "invalid syntax" in message or "'('" in message


def test_import_error_inside_the_file_is_quoted(tmp_path):
    path = tmp_path / "needs.py"
    path.write_text("import surely_not_installed_pkg\n")
    with pytest.raises(ArchError, match="could not import.*surely_not_installed_pkg"):
        resolve(f"{path}:Net")


def test_runtime_error_at_top_level_is_quoted(tmp_path):
    path = tmp_path / "boom.py"
    path.write_text("x = 1 / 0\n")
    with pytest.raises(ArchError, match="ZeroDivisionError: division by zero"):
        resolve(f"{path}:Net")


def test_missing_class_names_the_modules_that_are_there(model_dir):
    with pytest.raises(ArchError) as err:
        resolve(f"{model_dir / 'nets.py'}:ResNet")
    message = str(err.value)
    assert "no class ResNet" in message
    assert "Block, TinyNet, FixedHead, NeedsDepth, Exploding" in message


@pytest.mark.parametrize("ref", ["{path}:Net", "{path}"])
def test_file_without_any_module_says_so_without_asking_for_a_class(tmp_path, ref):
    path = tmp_path / "empty.py"
    path.write_text("x = 1\n")
    with pytest.raises(ArchError) as err:
        resolve(ref.format(path=path))
    assert str(err.value) == "empty.py defines no network (no torch.nn.Module subclass)."


def test_a_file_with_one_network_needs_no_class_name(tmp_path):
    path = tmp_path / "one.py"
    path.write_text("from torch import nn\n\nclass Only(nn.Sequential):\n"
                    "    def __init__(self):\n        super().__init__(nn.Conv2d(3, 4, 3))\n")
    assert resolve(str(path)).display_name == "Only"


def test_listing_then_building_runs_the_file_once(tmp_path):
    log = tmp_path / "runs.txt"
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(f"""
        from torch import nn
        with open({str(log)!r}, "a") as f:
            f.write("ran\\n")

        class Net(nn.Sequential):
            def __init__(self):
                super().__init__(nn.Conv2d(3, 4, 3))
    """))
    assert list_file_models(path) == ["Net"]
    resolve(f"{path}:Net").build()
    assert log.read_text().splitlines() == ["ran"]


def test_a_changed_file_runs_again(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("from torch import nn\nclass A(nn.Module):\n    pass\n")
    assert list_file_models(path) == ["A"]
    path.write_text("from torch import nn\nclass Bigger(nn.Module):\n    pass\n")
    assert list_file_models(path) == ["Bigger"]


@pytest.mark.parametrize("name", ["Plain", "helper", "NOT_A_MODULE"])
def test_not_a_module(model_dir, name):
    with pytest.raises(ArchError, match=f"{name} in 'nets.py' is not a torch.nn.Module"):
        resolve(f"{model_dir / 'nets.py'}:{name}")


def test_constructor_needing_arguments(model_dir):
    with pytest.raises(ArchError, match="needs the constructor argument.*depth"):
        resolve(f"{model_dir / 'nets.py'}:NeedsDepth")


def test_constructor_that_raises(model_dir):
    with pytest.raises(ArchError, match="Creating Exploding.*ValueError: width must be even"):
        resolve(f"{model_dir / 'nets.py'}:Exploding")


def test_file_without_class_lists_the_choices(model_dir):
    with pytest.raises(ArchError, match="Name the class.*TinyNet"):
        resolve(str(model_dir / "nets.py"))


def test_main_block_does_not_run_and_path_is_restored(model_dir):
    import sys

    before = list(sys.path)
    resolve(f"{model_dir / 'nets.py'}:TinyNet")  # the __main__ block would raise SystemExit
    assert sys.path == before


def test_errors_are_single_sentences(model_dir, tmp_path):
    path = tmp_path / "bad.py"
    path.write_text(textwrap.dedent("""
        def f(:
            pass
    """))
    for ref in (f"{path}:Net", f"{model_dir / 'nets.py'}:Nope", f"{tmp_path / 'x.py'}:Net"):
        with pytest.raises(ArchError) as err:
            resolve(ref)
        assert "\n" not in str(err.value) and str(err.value).endswith((".", "?"))


def test_relative_ref_and_trailing_colon(model_dir, monkeypatch):
    monkeypatch.chdir(model_dir)
    assert resolve("nets.py:TinyNet").display_name == "TinyNet"
    with pytest.raises(ArchError, match="Name the class to load as 'nets.py:ClassName'"):
        resolve("nets.py:")
