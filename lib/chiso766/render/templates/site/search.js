/* chiso766: search and filter the published site, offline (no request: the index is inlined in the
   page as JSON). Unit names match with or without diacritics, in NFC or NFD ("viet tri" finds
   "Việt Trì"); the filters narrow bulletins by kind, province and period, and units to those named by
   the bulletins left. Results are built with textContent only: names are data, never markup. */
(function () {
  "use strict";
  var source = document.getElementById("du-lieu-tim-kiem");
  var form = document.querySelector("form.finder");
  if (!source || !form) { return; }
  var data = JSON.parse(source.textContent);
  var query = document.getElementById("tim");
  var kind = document.getElementById("loai");
  var province = document.getElementById("tinh");
  var period = document.getElementById("ky");
  var count = document.getElementById("so-ket-qua");
  var hits = document.getElementById("ds-don-vi");
  var hitsBox = document.getElementById("ket-qua-don-vi");
  var LIMIT = 50;

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/\u0111/g, "d").replace(/\u0110/g, "D").toLowerCase()
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  data.bulletins.forEach(function (b) {
    b.key = fold([b.t, b.v, b.p].join(" "));
    b.names = (b.u || []).map(fold);  // the units it names, each matched on its own
  });
  data.units.forEach(function (u) { u.key = fold([u.n, u.c].join(" ")); });

  function matches(key, words) {
    for (var i = 0; i < words.length; i += 1) {
      if (key.indexOf(words[i]) < 0) { return false; }
    }
    return true;
  }

  function bulletinShown(b, words) {
    return (!kind.value || b.r === kind.value) && (!province.value || b.v === province.value) &&
      (!period.value || b.p === period.value) && (words === null || matches(b.key, words) ||
      b.names.some(function (name) { return matches(name, words); }));
  }

  function unitItem(u) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = u.h;
    link.textContent = u.n;
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = [u.c ? "Mã " + u.c : "", u.g, u.v, u.t ? u.t + " điểm (kỳ gần nhất)" : ""]
      .filter(Boolean).join(" · ");
    item.appendChild(link);
    item.appendChild(meta);
    return item;
  }

  function showUnits(units, active) {
    while (hits.firstChild) { hits.removeChild(hits.firstChild); }
    hitsBox.hidden = !active;
    units.slice(0, LIMIT).forEach(function (u) { hits.appendChild(unitItem(u)); });
  }

  function showBulletins(shown) {
    document.querySelectorAll("tr[data-b]").forEach(function (row) {
      row.hidden = !shown[Number(row.getAttribute("data-b"))];
    });
    document.querySelectorAll("div.kind").forEach(function (box) {
      box.hidden = box.querySelector("tr[data-b]:not([hidden])") === null;
    });
  }

  function update() {
    var words = fold(query.value);
    var filtered = Boolean(kind.value || province.value || period.value);
    var allowed = data.bulletins.map(function (b) { return bulletinShown(b, null); });
    var units = data.units.filter(function (u) {
      if (province.value && u.v !== province.value) { return false; }
      if (filtered && !u.b.some(function (n) { return allowed[n]; })) { return false; }
      return !words || matches(u.key, words.split(" "));
    });
    var shown = data.bulletins.map(function (b) { return bulletinShown(b, words ? words.split(" ") : null); });
    if (words) {  // and the bulletins that name the units found
      units.forEach(function (u) { u.b.forEach(function (n) { if (allowed[n]) { shown[n] = true; } }); });
    }
    var active = Boolean(words) || filtered;
    showUnits(units, active);
    showBulletins(shown);
    var bulletins = shown.filter(Boolean).length;
    count.textContent = !active ? "" : units.length + " đơn vị" +
      (units.length > LIMIT ? " (hiện " + LIMIT + " đầu tiên; gõ thêm để thu hẹp)" : "") + ", " + bulletins + " bản tin.";
  }

  var params = new URLSearchParams(window.location.search);
  query.value = params.get("q") || "";
  [["loai", kind], ["tinh", province], ["ky", period]].forEach(function (pair) {
    var value = params.get(pair[0]);
    if (value) { pair[1].value = value; }
  });
  form.hidden = false;
  var last = null;
  function refresh() {  // only when a field changed: a list rebuilt under a click would lose the click
    var state = [query.value, kind.value, province.value, period.value].join("\u0000");
    if (state !== last) { last = state; update(); }
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
  query.addEventListener("input", refresh);
  [kind, province, period].forEach(function (field) { field.addEventListener("change", refresh); });
  refresh();
}());
