"""The Augment workspace: load pictures, edit a pipeline, preview and export samples."""
