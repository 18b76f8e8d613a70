"""The Train workspace: twin training with live per-layer gradient plots, and past runs."""
