"""QGIS integration: default layer styles stored in the database's `layer_styles`."""
