"""The Architectures workspace: catalog, layer graph, layer table, details, charts, compare."""
