/* mlyetl report: draws the data of data/map.js and data/basemap.js with Leaflet (bundled).
   Everything comes from files beside the page: nothing is fetched from the network.
   Values from the database are put in the page as text (textContent), never as HTML. */
(function () {
  "use strict";
  var D = window.MLYETL_MAP, BASE = window.MLYETL_BASEMAP || [];
  var C = D.colours;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  // Google encoded polyline (ST_AsEncodedPolyline, 5 decimals) -> [[lat, lng], ...]
  function decode(str) {
    var out = [], i = 0, lat = 0, lng = 0;
    while (i < str.length) {
      var v = [0, 0];
      for (var k = 0; k < 2; k++) {
        var shift = 0, result = 0, b;
        do { b = str.charCodeAt(i++) - 63; result |= (b & 0x1f) << shift; shift += 5; } while (b >= 0x20);
        v[k] = (result & 1) ? ~(result >> 1) : (result >> 1);
      }
      lat += v[0]; lng += v[1];
      out.push([lat / 1e5, lng / 1e5]);
    }
    return out;
  }

  var map = L.map("map", {preferCanvas: true, minZoom: 1, maxZoom: 19, worldCopyJump: false,
                          zoomSnap: 0.5, attributionControl: true});
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Natural Earth; images: Mapillary");
  // Panes, bottom to top: the basemap, the cells, then polygons, lines and points (each
  // canvas renderer draws in its own pane, so the opaque land never hides the cells).
  map.createPane("basemap").style.zIndex = 250;
  map.createPane("cells").style.zIndex = 350;
  var baseRenderer = L.canvas({pane: "basemap", padding: 0.3});
  var renderer = L.canvas({padding: 0.3, tolerance: 3});
  var state = {layers: {}, binCells: {}};

  // Basemap: Natural Earth countries (holes drawn with the even-odd rule).
  var base = L.layerGroup(BASE.map(function (c) {
    return L.polygon(c[1].map(function (r) { return [decode(r)]; }),
      {renderer: baseRenderer, pane: "basemap", color: "#a8a096", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1,
       interactive: false});
  })).addTo(map);

  var extent = D.extent;
  if (extent) {
    map.fitBounds([[extent[1], extent[0]], [extent[3], extent[2]]], {padding: [20, 20], maxZoom: 16});
  } else {
    map.setView([20, 0], 2);
  }

  // ---- cells (binned counts) of the image layers ----
  var bins = D.bins || {levels: {}};
  var levels = Object.keys(bins.levels).map(Number).sort(function (a, b) { return a - b; });
  var ncol = (bins.columns || []).length;
  var pointCellSet = {};
  (bins.pointCells || []).forEach(function (c) { pointCellSet[c[0] + "," + c[1]] = true; });
  var levelIndex = {};  // level -> "tx,ty" (32 x 32 cells) -> [offsets into the flat list]
  levels.forEach(function (lv) {
    var L_ = bins.levels[lv], idx = {}, cells = L_.cells, step = 2 + ncol;
    for (var o = 0; o < cells.length; o += step) {
      var x = cells[o] + L_.x0, y = cells[o + 1] + L_.y0, key = (x >> 5) + "," + (y >> 5);
      (idx[key] = idx[key] || []).push(o);
    }
    levelIndex[lv] = idx;
  });
  function levelFor(z) {
    var best = null;
    levels.forEach(function (lv) { if (lv <= z) best = lv; });
    return best === null ? (levels.length ? levels[0] : null) : best;
  }
  function hexToRgb(h) { var n = parseInt(h.slice(1), 16); return [(n >> 16) & 255, (n >> 8) & 255, n & 255]; }

  var BinLayer = L.GridLayer.extend({
    initialize: function (def) { this.def = def; this.rgb = hexToRgb(C[def.style]); this.drawn = 0;
                                 L.GridLayer.prototype.initialize.call(this, {pane: "cells", tileSize: 256}); },
    createTile: function (coords) {
      var tile = document.createElement("canvas"); tile.width = tile.height = 256;
      var z = coords.z, lv = levelFor(z);
      if (lv === null) return tile;
      var Lv = bins.levels[lv], ctx = tile.getContext("2d"), def = this.def, step = 2 + ncol, rgb = this.rgb;
      var cs = 8 * Math.pow(2, z - lv), hidePointCells = !bins.allPoints && lv === bins.pointLevel && z >= lv;
      var logMax = Math.log(1 + Lv.max), keys = [];
      if (z >= lv) {
        keys.push(((coords.x * 256 / cs) >> 5) + "," + ((coords.y * 256 / cs) >> 5));
      } else {
        var f = Math.pow(2, lv - z);
        for (var i = 0; i < f; i++) for (var j = 0; j < f; j++) keys.push((coords.x * f + i) + "," + (coords.y * f + j));
      }
      var x0 = coords.x * 256, y0 = coords.y * 256;
      for (var k = 0; k < keys.length; k++) {
        var offs = levelIndex[lv][keys[k]];
        if (!offs) continue;
        for (var m = 0; m < offs.length; m++) {
          var o = offs[m], cx = Lv.cells[o] + Lv.x0, cy = Lv.cells[o + 1] + Lv.y0;
          if (hidePointCells && pointCellSet[cx + "," + cy]) continue;
          var n = 0;
          def.columns.forEach(function (c) { n += Lv.cells[o + 2 + c]; });
          if (!n) continue;
          var px = cx * cs - x0, py = cy * cs - y0;
          if (px + cs < 0 || py + cs < 0 || px > 256 || py > 256) continue;
          var a = 0.25 + 0.7 * Math.log(1 + n) / logMax;
          ctx.fillStyle = "rgba(" + rgb[0] + "," + rgb[1] + "," + rgb[2] + "," + a.toFixed(3) + ")";
          ctx.fillRect(px, py, Math.max(cs - (cs > 4 ? 1 : 0), 1), Math.max(cs - (cs > 4 ? 1 : 0), 1));
          this.drawn++;
        }
      }
      return tile;
    }
  });

  // ---- points ----
  var P = D.points || {lon: [], lat: [], code: [], columns: []};
  function cellValue(col, i) {
    var v = col.values[i];
    if (col.dictionary) return v < 0 ? null : col.dictionary[v];
    return v;
  }
  function showValue(col, v) {
    if (col.kind === "time") return new Date(v * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
    if (col.kind === "bool") return v ? "yes" : "no";
    if (col.kind === "degrees") return v + "°";
    if (col.kind === "metres") return v + " m";
    if (col.kind === "number") return String(v);
    return String(v);
  }
  function pointPopup(i) {
    var box = el("div", "popup"), title = el("h3", null, "Image " + P.columns[0].values[i]);
    box.appendChild(title);
    var table = el("table"), picture = null;
    P.columns.forEach(function (col) {
      var v = cellValue(col, i);
      if (v === null || v === undefined) return;
      if (col.kind === "picture") { picture = v; return; }
      var tr = el("tr");
      tr.appendChild(el("th", null, col.name));
      tr.appendChild(el("td", null, showValue(col, v)));
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (picture) {
      var img = el("img", "picture"); img.src = picture; img.alt = "picture of image " + P.columns[0].values[i];
      box.appendChild(img);
    } else {
      box.appendChild(el("p", "nopic", "no downloaded picture"));
    }
    return box;
  }

  // ---- overlays ----
  var overlays = {};
  function swatch(style, shape) {
    return '<span class="swatch ' + shape + '" style="background:' + esc(C[style]) + '"></span>';
  }
  function registerOverlay(def, group, shape) {
    var label = swatch(def.style, shape) + esc(def.label) + ' <span class="count">(' + esc(fmt(def.count)) + ")</span>";
    overlays[label] = group;
    if (def.visible) group.addTo(map);
    state.layers[def.key] = {def: def, group: group};
  }
  var polygons = {};
  (D.polygons || []).forEach(function (p) { polygons[p.key] = p.rings; });

  (D.layers || []).forEach(function (def) {
    var group = L.layerGroup(), entry;
    if (def.type === "polygons") {
      var rings = (polygons[def.key] || []).map(function (r) { return [decode(r)]; });
      var fill = def.key === "urban";
      if (rings.length) {
        L.polygon(rings, {renderer: renderer, color: C[def.style], weight: fill ? 0.8 : 1.4,
                          fill: fill, fillColor: C[def.style], fillOpacity: fill ? 0.35 : 0,
                          interactive: false}).addTo(group);
      }
      registerOverlay(def, group, fill ? "area" : "outline");
      state.layers[def.key].features = rings.length;
    } else if (def.type === "lines") {
      var Lines = D.lines, n = Lines.line.length;
      for (var i = 0; i < n; i++) {
        var line = L.polyline(decode(Lines.line[i]), {renderer: renderer, color: C.lines, weight: 1.5, opacity: 0.8});
        line.bindPopup(linePopup.bind(null, i));
        line.addTo(group);
      }
      registerOverlay(def, group, "line");
      state.layers[def.key].features = n;
    } else if (def.type === "tasks") {
      var T = D.tasks, made = 0;
      for (var t = 0; t < T.state.length; t++) {
        if (T.state[t] !== def.state) continue;
        var b = T.box.slice(4 * t, 4 * t + 4);
        var rect = L.rectangle([[b[1], b[0]], [b[3], b[2]]],
          {renderer: renderer, color: C[def.style], weight: 1, fillOpacity: 0.12});
        rect.bindPopup(taskPopup.bind(null, t));
        rect.addTo(group);
        made++;
      }
      registerOverlay(def, group, "area");
      state.layers[def.key].features = made;
    } else if (def.type === "images") {
      var binLayer = levels.length && !bins.allPoints ? new BinLayer(def) : null;
      if (binLayer) binLayer.addTo(group);
      var points = L.layerGroup(), count = 0;
      for (var q = 0; q < P.code.length; q++) {
        if (def.codes.indexOf(P.code[q]) < 0) continue;
        var marker = L.circleMarker([P.lat[q], P.lon[q]], {renderer: renderer, radius: 4, weight: 1,
          color: "#ffffff", fillColor: C[def.style], fillOpacity: 0.95});
        marker.bindPopup(pointPopup.bind(null, q), {maxWidth: 320});
        marker.imageId = P.columns[0].values[q];
        marker.addTo(points);
        count++;
      }
      registerOverlay(def, group, "dot");
      entry = state.layers[def.key];
      entry.points = points; entry.pointCount = count; entry.bins = binLayer;
    }
  });

  function linePopup(i) {
    var Lines = D.lines, box = el("div", "popup");
    box.appendChild(el("h3", null, "Sequence " + Lines.sequence[i]));
    var table = el("table");
    [["images", fmt(Lines.images[i])], ["kept", fmt(Lines.kept[i])], ["duplicates", fmt(Lines.duplicates[i])],
     ["length", fmt(Lines.length_m[i]) + " m"],
     ["first capture", Lines.first[i] === null ? "-" : new Date(Lines.first[i] * 1000).toISOString()]
    ].forEach(function (r) { var tr = el("tr"); tr.appendChild(el("th", null, r[0])); tr.appendChild(el("td", null, r[1])); table.appendChild(tr); });
    box.appendChild(table);
    return box;
  }
  function taskPopup(t) {
    var T = D.tasks, info = T.info[t], box = el("div", "popup");
    box.appendChild(el("h3", null, info[0] + " " + info[1]));
    var table = el("table");
    [["state", D.taskStates[T.state[t]]], ["attempts", info[2]], ["results", info[3]], ["last error", info[4]]]
      .forEach(function (r) {
        if (r[1] === null || r[1] === undefined) return;
        var tr = el("tr"); tr.appendChild(el("th", null, r[0])); tr.appendChild(el("td", null, String(r[1]))); table.appendChild(tr);
      });
    box.appendChild(table);
    return box;
  }

  // Points appear from the finest cell level on (everywhere when the whole dataset is points).
  function pointsVisible() { return bins.allPoints || map.getZoom() >= bins.pointLevel; }
  function syncPoints() {
    Object.keys(state.layers).forEach(function (k) {
      var e = state.layers[k];
      if (!e.points) return;
      var on = pointsVisible();
      if (on && !e.group.hasLayer(e.points)) e.group.addLayer(e.points);
      if (!on && e.group.hasLayer(e.points)) e.group.removeLayer(e.points);
    });
  }
  syncPoints();
  map.on("zoomend", syncPoints);
  map.on("zoomstart", function () {  // cells drawn are counted per zoom
    Object.keys(state.layers).forEach(function (k) { if (state.layers[k].bins) state.layers[k].bins.drawn = 0; });
  });

  L.control.layers({"Natural Earth countries": base}, overlays, {collapsed: false, position: "topright"}).addTo(map);
  L.control.scale({imperial: false, maxWidth: 160}).addTo(map);

  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var box = el("div", "legend");
    box.appendChild(el("h4", null, "Legend"));
    (D.layers || []).forEach(function (def) {
      var shape = def.type === "images" ? "dot" : def.type === "lines" ? "line" : def.key === "continent" || def.key === "area" ? "outline" : "area";
      var row = el("div", "row"), sw = el("span", "swatch " + shape);
      sw.style.background = C[def.style];
      row.appendChild(sw);
      row.appendChild(el("span", null, def.label + " (" + fmt(def.count) + (def.drawn !== undefined && def.drawn < def.count ? ", " + fmt(def.drawn) + " drawn" : "") + ")"));
      box.appendChild(row);
    });
    if (levels.length && !bins.allPoints) {
      var ramp = el("div", "row");
      var r = el("span", "ramp");
      ramp.appendChild(r);
      ramp.appendChild(el("span", null, "squares: images per cell, darker = more; points from zoom " + bins.pointLevel + " where few"));
      box.appendChild(ramp);
    }
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  legend.addTo(map);

  // What tests and curious users can ask the page: layers and how many features each draws.
  window.mlyetlReport = {
    map: map,
    counts: function () {
      var out = {};
      Object.keys(state.layers).forEach(function (k) {
        var e = state.layers[k], on = map.hasLayer(e.group);
        out[k] = {visible: on, features: e.features || 0,
                  points: e.points && on && e.group.hasLayer(e.points) ? e.pointCount : 0,
                  cells: e.bins && on ? e.bins.drawn : 0, total: e.def.count};
      });
      return out;
    },
    imagePoint: function (id, zoom) {
      var found = null;
      Object.keys(state.layers).forEach(function (k) {
        var e = state.layers[k];
        if (!e.points) return;
        e.points.eachLayer(function (m) { if (String(m.imageId) === String(id)) found = m; });
      });
      if (!found) return null;
      if (zoom) map.setView(found.getLatLng(), zoom, {animate: false});
      var p = map.latLngToContainerPoint(found.getLatLng());
      return {x: p.x, y: p.y};
    },
    ready: true
  };
})();
