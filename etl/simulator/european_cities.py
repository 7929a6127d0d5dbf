"""Built-in urban centres for the `europe` preset (approximate, no data bundle).

(lon, lat, sigma in degrees, peak sequences per 0.01-degree cell, name). Peaks
are chosen so that a capital holds roughly 0.5-1 million images.
"""

from __future__ import annotations

from etl.simulator.density import City


def _c(name: str, lon: float, lat: float, size: float) -> City:
    # size 1 = a large capital; smaller cities get a narrower, lower bump
    return City(lon, lat, 0.035 * size**0.5, 40.0 * size**0.5, name)


EUROPEAN_CITIES: tuple[City, ...] = (
    _c("London", -0.12, 51.51, 1.6), _c("Paris", 2.35, 48.86, 1.6), _c("Berlin", 13.40, 52.52, 1.2),
    _c("Madrid", -3.70, 40.42, 1.2), _c("Rome", 12.50, 41.90, 1.0), _c("Moscow", 37.62, 55.75, 1.4),
    _c("Istanbul", 28.98, 41.01, 1.2), _c("Barcelona", 2.17, 41.39, 0.9), _c("Milan", 9.19, 45.46, 0.9),
    _c("Munich", 11.58, 48.14, 0.7), _c("Hamburg", 9.99, 53.55, 0.7), _c("Vienna", 16.37, 48.21, 0.8),
    _c("Warsaw", 21.01, 52.23, 0.8), _c("Budapest", 19.04, 47.50, 0.7), _c("Prague", 14.42, 50.08, 0.6),
    _c("Amsterdam", 4.90, 52.37, 0.7), _c("Brussels", 4.35, 50.85, 0.6), _c("Copenhagen", 12.57, 55.68, 0.6),
    _c("Stockholm", 18.07, 59.33, 0.6), _c("Oslo", 10.75, 59.91, 0.5), _c("Helsinki", 24.94, 60.17, 0.5),
    _c("Dublin", -6.26, 53.35, 0.5), _c("Lisbon", -9.14, 38.72, 0.6), _c("Porto", -8.61, 41.15, 0.4),
    _c("Athens", 23.73, 37.98, 0.7), _c("Bucharest", 26.10, 44.43, 0.6), _c("Sofia", 23.32, 42.70, 0.4),
    _c("Belgrade", 20.46, 44.79, 0.4), _c("Zagreb", 15.98, 45.81, 0.4), _c("Kyiv", 30.52, 50.45, 0.8),
    _c("Minsk", 27.56, 53.90, 0.5), _c("Riga", 24.11, 56.95, 0.3), _c("Vilnius", 25.28, 54.69, 0.3),
    _c("Tallinn", 24.75, 59.44, 0.3), _c("Lyon", 4.84, 45.76, 0.5), _c("Marseille", 5.37, 43.30, 0.5),
    _c("Toulouse", 1.44, 43.60, 0.4), _c("Frankfurt", 8.68, 50.11, 0.5), _c("Cologne", 6.96, 50.94, 0.5),
    _c("Stuttgart", 9.18, 48.78, 0.4), _c("Zurich", 8.54, 47.37, 0.4), _c("Geneva", 6.14, 46.20, 0.3),
    _c("Manchester", -2.24, 53.48, 0.5), _c("Birmingham", -1.89, 52.49, 0.5), _c("Glasgow", -4.25, 55.86, 0.4),
    _c("Naples", 14.27, 40.85, 0.5), _c("Turin", 7.69, 45.07, 0.4), _c("Valencia", -0.38, 39.47, 0.4),
    _c("Seville", -5.98, 37.39, 0.4), _c("Krakow", 19.94, 50.06, 0.4), _c("St Petersburg", 30.32, 59.94, 0.9),
    _c("Rotterdam", 4.48, 51.92, 0.4), _c("Antwerp", 4.40, 51.22, 0.3), _c("Gothenburg", 11.97, 57.71, 0.3),
    _c("Bratislava", 17.11, 48.15, 0.3), _c("Ljubljana", 14.51, 46.06, 0.3), _c("Reykjavik", -21.90, 64.14, 0.2),
)
