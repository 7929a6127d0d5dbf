"""The filter stage from Python: `run_filter(target, FilterSettings(...))` -> `FilterSummary`."""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.boundaries.naturalearth import DEFAULT_URBAN_NAME
from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.filters.curation_params import CURATION_KEYS, CurationParams, curation_argv, curation_from_options
from etl.filters.params import SPACING_MODES, FilterParams
from etl.filters.run import default_jobs
from etl.settings import Settings, setting
from etl.stages.common import ready, run_async
from etl.summary import Summary

__all__ = ["FilterSettings", "FilterSummary", "run_filter"]


@dataclass(frozen=True, kw_only=True)
class FilterSettings(Settings):
    """What `mlyetl filter` takes: the result's name, its layers and spacing rule."""

    SECTION = "filter"

    name: str = setting(help="Name of the result (created, or brought up to date).")
    continent: str = setting(help="Continent layer; a Natural Earth continent (e.g. Europe) is built on first use.")
    urban: str = setting(DEFAULT_URBAN_NAME, "Urban layer; the default is Natural Earth's urban areas, built on "
                         "first use.")
    spacing_urban: float = setting(100.0, "Metres between kept urban images.")
    spacing_other: float = setting(1000.0, "Metres between kept other images.")
    spacing_mode: str = setting("path", "path: distance walked along the sequence since the last kept image (the "
                                "original rule); straight: straight-line distance to the last kept image.",
                                choices=SPACING_MODES)
    exclude_result: str | None = setting(None, "Leave out the images result OLD kept (its dataset), so a new "
                                         "download fetches only new images.", metavar="OLD")
    replace: bool = setting(False, "Recompute the result from scratch when its parameters changed.")
    curation: CurationParams | None = setting(None, "Curation (attribute filters, thinning, caps per cell); the "
                                              "command's curation options.", cli=False)
    jobs: int = setting(default_jobs(), "Database connections writing disjoint sequence buckets (the clip + walk "
                        "statement runs on PostgreSQL's parallel workers).", min=1, max=64)

    def check(self) -> None:
        self.params().validate()

    @classmethod
    def from_mapping(cls, values: dict, section: str | None = None, **fixed) -> FilterSettings:
        """Also the curation keys of the command's curation options (`camera_type = [...]`, `daylight = true`)."""
        plain = {k: v for k, v in values.items() if k not in CURATION_KEYS}
        curated = {k: v for k, v in values.items() if k in CURATION_KEYS}
        if curated:
            fixed = {**fixed, "curation": curation_from_options(curated)}
        return super().from_mapping(plain, section, **fixed)

    def argv(self, keys: list[str] | None = None) -> list[str]:
        plain = super().argv(None if keys is None else [k for k in keys if k not in CURATION_KEYS])
        if self.curation is None:
            return plain
        return plain + curation_argv(self.curation, None if keys is None else [k for k in keys if k in CURATION_KEYS])

    def params(self) -> FilterParams:
        return FilterParams(name=self.name, continent=self.continent, urban=self.urban,
                            spacing_urban=self.spacing_urban, spacing_other=self.spacing_other,
                            spacing_mode=self.spacing_mode, exclude_result=self.exclude_result,
                            **({"curation": self.curation} if self.curation is not None else {}))


@dataclass
class FilterSummary(Summary):
    name: str
    continent: str
    counts: dict = field(default_factory=dict)  # clipped, urban, other, duplicates, kept_*, sequences, ...
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, and 'total'
    curates: bool = False

    @property
    def kept_urban(self) -> int:
        return int(self.counts.get("kept_urban", 0))

    @property
    def kept_other(self) -> int:
        return int(self.counts.get("kept_other", 0))

    @property
    def kept_added(self) -> int | None:
        """Images kept now that the result's last finished run did not keep (None: not known,
        for a new result, one recomputed from scratch, or after an interrupted run)."""
        return None if "kept_added" not in self.counts else int(self.counts["kept_added"])

    @property
    def kept_removed(self) -> int | None:
        """Images the result's last finished run kept that it no longer keeps (None: not known)."""
        return None if "kept_removed" not in self.counts else int(self.counts["kept_removed"])

    def lines(self) -> list[str]:
        c = self.counts
        return [f"result {self.name}: {c.get('clipped', 0):,} images in {self.continent} "
                f"({c.get('urban', 0):,} urban, {c.get('other', 0):,} other, "
                f"{c.get('duplicates', 0):,} duplicates); kept {c.get('kept_urban', 0):,} urban + "
                f"{c.get('kept_other', 0):,} other; {c.get('sequences', 0):,} sequences, "
                f"{c.get('recomputed_sequences', 0):,} recomputed; {self.timings.get('total', 0):.1f} s"] + (
            [f"curation: {c.get('candidates', 0):,} images after spacing, {c.get('thinned_out', 0):,} thinned out, "
             f"{c.get('capped_out', 0):,} over a cell's cap"] if self.curates else []) + (
            [f"since the last run: +{self.kept_added:,} kept, -{self.kept_removed:,} dropped"]
            if self.kept_added is not None and self.kept_removed is not None else [])


async def filter_async(target: DatabaseTarget | str, settings: FilterSettings) -> FilterSummary:
    from etl.filters.run import run_filter as compute
    from etl.qgis.styles import install_base_styles

    target = await ready(target)
    report = await compute(target, settings.params(), jobs=settings.jobs, replace=settings.replace)
    async with connection(target) as conn:  # a new result is a new table (a QGIS layer): style it
        await install_base_styles(conn)
    return FilterSummary(settings.name, settings.continent, report.counts, report.timings,
                         curates=bool(settings.curation is not None and settings.curation.curates))


def run_filter(target: DatabaseTarget | str, settings: FilterSettings) -> FilterSummary:
    """Build result `settings.name`, or bring it up to date (only changed sequences are recomputed)."""
    return run_async(filter_async(target, settings))
