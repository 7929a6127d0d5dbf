"""The images drawn as points, in columns (a few MB for tens of thousands of points):
position and layer code per point, then what a click shows, with repeated strings
(sequences, cameras, creators, pictures) stored once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# column kinds the page's script knows how to show
KINDS = ("number", "text", "time", "bool", "picture", "degrees", "metres")


@dataclass
class Column:
    name: str
    kind: str
    shared: bool = False  # values stored once in `dictionary`, points hold indexes
    values: list[Any] = field(default_factory=list)
    dictionary: dict[Any, int] = field(default_factory=dict)

    def add(self, value: Any) -> None:
        if not self.shared:
            self.values.append(value)
            return
        if value is None:
            self.values.append(-1)
            return
        index = self.dictionary.setdefault(value, len(self.dictionary))
        self.values.append(index)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "values": self.values}
        if self.shared:
            out["dictionary"] = list(self.dictionary)
        return out


class PointTable:
    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns
        self.lon: list[float] = []
        self.lat: list[float] = []
        self.code: list[int] = []

    def add(self, lon: float, lat: float, code: int, values: list[Any]) -> None:
        self.lon.append(round(lon, 6))
        self.lat.append(round(lat, 6))
        self.code.append(code)
        for column, value in zip(self.columns, values):
            column.add(value)

    def __len__(self) -> int:
        return len(self.code)

    def to_json(self) -> dict:
        return {"lon": self.lon, "lat": self.lat, "code": self.code, "columns": [c.to_json() for c in self.columns]}
