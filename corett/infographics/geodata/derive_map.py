"""Derive ``region.geojson`` (the map of the coalition's region) from Natural Earth.

Run once by a developer, never at run time; the derived file is committed beside this script:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python corett/infographics/geodata/derive_map.py package/countries-50m.json

Source: Natural Earth 1:50m Admin 0 countries, version 4.1.0 (public domain), as redistributed in
TopoJSON by the npm package ``world-atlas`` 2.0.2 (ISC). The script decodes the topology, keeps the
countries that reach into the region's frame, clips them to the frame (so the United States and
South America do not weigh megabytes), simplifies the outlines (Douglas-Peucker, a tolerance below
what an A4 page can show) and drops islands too small to see. Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The frame: from Baja California to the Lesser Antilles, from the US border to Colombia.
WEST, EAST, SOUTH, NORTH = -118.5, -59.0, 6.0, 33.5
TOLERANCE = 0.03  # degrees (about 3 km): finer than 0.2 mm on the A4 map
MIN_AREA = 0.004  # square degrees: islets below this vanish at the map's scale

# ISO 3166-1 numeric -> alpha-3, for the countries the frame can touch.
NUMERIC_TO_ALPHA3 = {
    "084": "BLZ", "188": "CRI", "222": "SLV", "320": "GTM", "340": "HND", "484": "MEX",
    "558": "NIC", "591": "PAN", "214": "DOM",
    "840": "USA", "192": "CUB", "332": "HTI", "170": "COL", "388": "JAM", "862": "VEN",
    "044": "BHS", "630": "PRI", "796": "TCA", "136": "CYM", "780": "TTO", "052": "BRB",
    "028": "ATG", "659": "KNA", "662": "LCA", "670": "VCT", "308": "GRD", "212": "DMA",
    "533": "ABW", "531": "CUW", "534": "SXM", "652": "BLM", "663": "MAF", "660": "AIA",
    "092": "VGB", "850": "VIR", "500": "MSR", "218": "ECU", "328": "GUY", "060": "BMU",
}
MEMBERS = {"BLZ", "CRI", "SLV", "GTM", "HND", "MEX", "NIC", "PAN", "DOM"}

Point = tuple[float, float]
Ring = list[Point]


def decode_arcs(topology: dict) -> list[list[Point]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_from(indexes: list[int], arcs: list[list[Point]]) -> Ring:
    ring: Ring = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def clip(ring: Ring) -> Ring:
    """Sutherland-Hodgman against the frame (a convex clip window)."""
    edges = (
        (lambda p: p[0] >= WEST, lambda a, b: _at_x(a, b, WEST)),
        (lambda p: p[0] <= EAST, lambda a, b: _at_x(a, b, EAST)),
        (lambda p: p[1] >= SOUTH, lambda a, b: _at_y(a, b, SOUTH)),
        (lambda p: p[1] <= NORTH, lambda a, b: _at_y(a, b, NORTH)),
    )
    for inside, cross in edges:
        if not ring:
            break
        result: Ring = []
        previous = ring[-1]
        for point in ring:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        ring = result
    return ring


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker, iterative (long coastlines would overflow the recursion limit)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        farthest, distance = first, 0.0
        for i in range(first + 1, last):
            px, py = points[i]
            d = abs(dy * px - dx * py + bx * ay - by * ax) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > distance:
                farthest, distance = i, d
        if distance > tolerance:
            keep[farthest] = True
            stack.extend(((first, farthest), (farthest, last)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(ring: Ring) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def derive(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    features: list[dict] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        iso3 = NUMERIC_TO_ALPHA3.get(str(geometry.get("id")))
        if iso3 is None:
            continue
        polygons = []
        for polygon in polygons_of(geometry):
            rings = []
            for indexes in polygon:
                ring = simplify(clip(ring_from(indexes, arcs)), TOLERANCE)
                if len(ring) >= 4 and area(ring) >= MIN_AREA:
                    rings.append([[round(x, 3), round(y, 3)] for x, y in ring])
            if rings:
                polygons.append(rings)
        if polygons:
            features.append({
                "type": "Feature",
                "properties": {
                    "iso3": iso3,
                    "name": geometry["properties"]["name"],
                    "member": iso3 in MEMBERS,
                },
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            })
    features.sort(key=lambda f: f["properties"]["iso3"])
    return {
        "type": "FeatureCollection",
        "attribution": (
            "Made with Natural Earth (public domain), 1:50m Admin 0 countries v4.1.0, "
            "via the world-atlas 2.0.2 TopoJSON; clipped and simplified by derive_map.py."
        ),
        "bbox": [WEST, SOUTH, EAST, NORTH],
        "features": features,
    }


def main(source: str) -> None:
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    target = Path(__file__).with_name("region.geojson")
    target.write_text(json.dumps(derive(topology), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{target}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
