"""Named worlds for `--world`, and the `key=value;...` / JSON world spec.

    tiny     a small town and surroundings, ~5,000 images (tests, demo)
    city     a Berlin-sized city, ~600,000 images
    europe   lat 35.8-71.2, lon -26.0-44.8, ~30 million images, all lazy

Spec examples: "tiny", "tiny;seed=3", "seed=7;bbox=6.6,46.5,6.7,46.56;
background=0.05;city=6.63,46.52,0.008,40" (city = lon,lat,sigma_deg,peak; repeat
for more), or the path of a JSON file with the same keys (cities as lists).
"""

from __future__ import annotations

import json
from pathlib import Path

from etl.simulator.density import Area, City, DensityModel
from etl.simulator.european_cities import EUROPEAN_CITIES
from etl.simulator.geo import BBox, parse_bbox
from etl.simulator.world import World

DEFAULT_SEED = 42

PRESETS: dict[str, dict] = {
    "tiny": {
        "bbox": (6.60, 46.50, 6.68, 46.55),
        "background": 0.04,
        "cities": [(6.632, 46.521, 0.006, 22.0)],
    },
    "city": {
        "bbox": (13.05, 52.35, 13.75, 52.65),
        "background": 0.05,
        "cities": [(13.40, 52.52, 0.05, 22.0), (13.30, 52.50, 0.03, 15.0), (13.45, 52.47, 0.03, 10.0)],
    },
    "europe": {
        "bbox": (-26.0, 35.8, 44.8, 71.2),
        "background": 0.01,
        "cities": EUROPEAN_CITIES,
    },
}


def build_world(spec: str = "tiny", seed: int | None = None) -> World:
    """A World from a preset name, a `key=value;...` spec or a JSON file path."""
    params = _parse_spec(spec)
    if seed is not None:
        params["seed"] = seed
    return _from_params(params)


def _parse_spec(spec: str) -> dict:
    spec = spec.strip()
    if spec.endswith(".json"):
        return _normalise(json.loads(Path(spec).read_text()))
    params: dict = {"name": "custom", "cities": []}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        if "=" not in part:
            params = _preset(part) | {k: v for k, v in params.items() if k == "seed"}
            continue
        key, _, value = part.partition("=")
        _set(params, key.strip(), value.strip())
    return params


def _preset(name: str) -> dict:
    if name not in PRESETS:
        raise ValueError(f"unknown world {name!r}; presets: {', '.join(PRESETS)}")
    return {"name": name, **PRESETS[name], "cities": list(PRESETS[name]["cities"])}


def _set(params: dict, key: str, value: str) -> None:
    if key == "seed":
        params["seed"] = int(value)
    elif key == "bbox":
        params["bbox"] = parse_bbox(value)
    elif key in ("background", "density"):
        params["background"] = float(value)
    elif key == "city":
        params["cities"] = [*params.get("cities", []), tuple(float(v) for v in value.split(","))]
    elif key == "area":
        *box, rate = (float(v) for v in value.split(","))
        params["areas"] = [*params.get("areas", []), (tuple(box), rate)]
    elif key == "name":
        params["name"] = value
    else:
        raise ValueError(f"unknown world key {key!r} (seed, bbox, background, city, area, name)")


def _normalise(raw: dict) -> dict:
    params = _preset(raw["preset"]) if "preset" in raw else {"name": raw.get("name", "custom"), "cities": []}
    for key, value in raw.items():
        if key in ("bbox",):
            params["bbox"] = tuple(float(v) for v in value)
        elif key in ("cities", "areas"):
            params[key] = [tuple(v) if key == "cities" else (tuple(v[0]), v[1]) for v in value]
        elif key != "preset":
            params[key] = value
    return params


def _from_params(params: dict) -> World:
    if "bbox" not in params:
        raise ValueError("a world needs a bbox (or a preset name: tiny, city, europe)")
    cities = tuple(City(*c[:4]) if not isinstance(c, City) else c for c in params.get("cities", []))
    areas = tuple(Area.from_bbox(box, rate) for box, rate in params.get("areas", []))
    density = DensityModel(float(params.get("background", 0.02)), cities, areas)
    bbox: BBox = tuple(params["bbox"])  # type: ignore[assignment]
    return World(int(params.get("seed", DEFAULT_SEED)), bbox, density, name=params.get("name", "custom"))
