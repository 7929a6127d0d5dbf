"""Run by the system Python that has QGIS's bindings: open PostGIS layers like QGIS does.

Usage: python3 qgis_probe.py CONNINFO LAYER [LAYER ...]   (LAYER = schema.table:geomcolumn)
Prints one JSON object per layer: valid, feature count, features read with a geometry (as
QGIS fetches them to draw), renderer type and its colours.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsRenderContext, QgsVectorLayer  # noqa: E402


def describe(conninfo: str, layer_spec: str) -> dict:
    table_part, geom = layer_spec.split(":")
    schema, table = table_part.split(".")
    layer = QgsVectorLayer(f'{conninfo} table="{schema}"."{table}" ({geom})', table, "postgres")
    renderer = layer.renderer() if layer.isValid() else None
    symbols = []
    if renderer is not None:
        symbols = [s.color().name() for s in renderer.symbols(QgsRenderContext())]
    return {
        "layer": layer_spec,
        "valid": layer.isValid(),
        "features": layer.featureCount() if layer.isValid() else None,
        "read": sum(1 for f in layer.getFeatures() if f.hasGeometry()) if layer.isValid() else None,
        "renderer": renderer.type() if renderer else None,
        "attribute": getattr(renderer, "classAttribute", lambda: None)() if renderer else None,
        "colours": symbols,
    }


def main() -> None:
    app = QgsApplication([], False)
    app.setPrefixPath("/usr", True)
    app.initQgis()
    for spec in sys.argv[2:]:
        print(json.dumps(describe(sys.argv[1], spec)))
    app.exitQgis()


if __name__ == "__main__":
    main()
