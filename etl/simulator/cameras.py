"""The cameras sequences are shot with: make/model (sometimes absent or empty,
as in reality), camera type and image size."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Camera:
    make: str | None  # None: the field is absent from answers
    model: str | None
    camera_type: str
    width: int
    height: int
    weight: float


PERSPECTIVE = (
    Camera("Apple", "iPhone 12", "perspective", 4032, 3024, 3.0),
    Camera("samsung", "SM-G991B", "perspective", 4000, 3000, 2.0),
    Camera("GoPro", "HERO9 Black", "fisheye", 4000, 3000, 1.5),
    Camera("Garmin", "VIRB Ultra 30", "fisheye", 3840, 2160, 0.5),
    Camera("", "", "perspective", 2048, 1536, 0.6),
    Camera(None, None, "perspective", 1920, 1080, 0.4),
    Camera("Xiaomi", "", "perspective", 4000, 2250, 0.5),
)

PANORAMIC = (
    Camera("GoPro", "GoPro Max", "spherical", 5760, 2880, 2.0),
    Camera("Insta360", "Insta360 ONE X2", "equirectangular", 6080, 3040, 1.5),
    Camera("RICOH", "RICOH THETA V", "spherical", 5376, 2688, 1.0),
    Camera(None, None, "equirectangular", 5760, 2880, 0.3),
)

CAMERAS = PERSPECTIVE + PANORAMIC
_N_PERSPECTIVE = len(PERSPECTIVE)


def cumulative_weights(cameras: tuple[Camera, ...]) -> list[float]:
    total = sum(c.weight for c in cameras)
    acc, out = 0.0, []
    for c in cameras:
        acc += c.weight / total
        out.append(acc)
    return out


PERSPECTIVE_CDF = cumulative_weights(PERSPECTIVE)
PANORAMIC_CDF = cumulative_weights(PANORAMIC)
PANO_OFFSET = _N_PERSPECTIVE
