// heartbeat dashboard: filter and sort the table in the browser. The page is complete without
// it (the server already sends the rows in the default order), so this only adds comfort.
(() => {
  "use strict";
  const table = document.getElementById("pulses");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.querySelectorAll("tr.pulse"));
  const headers = Array.from(table.querySelectorAll("thead th[data-type]"));
  const filter = document.getElementById("filter");
  const statusFilter = document.getElementById("status-filter");
  const showing = document.getElementById("showing");
  const noMatch = document.getElementById("no-match");
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  // The page reloads itself every 120 s; keeping filter and sort per tab makes that painless.
  const remember = (name, value) => {
    try { window.sessionStorage.setItem("heartbeat." + name, value); } catch (e) { /* storage off */ }
  };
  const recall = (name) => {
    try { return window.sessionStorage.getItem("heartbeat." + name); } catch (e) { return null; }
  };

  rows.forEach((row, i) => {
    row.dataset.index = String(i);
    row.dataset.text = row.textContent.replace(/\s+/g, " ").toLowerCase();
  });

  const applyFilter = () => {
    const query = filter.value.trim().toLowerCase();
    const wanted = statusFilter.value;
    let shown = 0;
    for (const row of rows) {
      const hit = (query === "" || row.dataset.text.includes(query)) && (wanted === "" || row.dataset.status === wanted);
      row.hidden = !hit;
      if (hit) shown += 1;
    }
    showing.textContent = "Showing " + shown + " of " + rows.length;
    noMatch.hidden = shown !== 0 || rows.length === 0;
    remember("filter", filter.value);
    remember("status", statusFilter.value);
  };

  const sortKey = (row, column, type) => {
    const cell = row.cells[column];
    const raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (type === "number") {
      const n = parseFloat(raw);
      return Number.isNaN(n) ? -Infinity : n;
    }
    if (type === "time") {
      const t = Date.parse(raw);
      return Number.isNaN(t) ? -Infinity : t;
    }
    return raw;
  };

  const sortBy = (th, direction) => {
    const column = th.cellIndex;
    const type = th.dataset.type;
    const sign = direction === "ascending" ? 1 : -1;
    for (const other of headers) {
      if (other !== th) other.removeAttribute("aria-sort");
    }
    th.setAttribute("aria-sort", direction);
    const keyed = rows.map((row) => ({ row, key: sortKey(row, column, type) }));
    keyed.sort((a, b) => {
      const c = type === "text"
        ? collator.compare(a.key, b.key)
        : (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      // Ties keep the server's order, so repeated clicks never shuffle equal rows.
      return c !== 0 ? sign * c : a.row.dataset.index - b.row.dataset.index;
    });
    for (const { row } of keyed) body.appendChild(row);
    remember("sort", column + ":" + direction);
  };

  for (const th of headers) {
    th.querySelector("button").addEventListener("click", () => {
      const current = th.getAttribute("aria-sort");
      let next;
      if (current === "ascending") next = "descending";
      else if (current === "descending") next = "ascending";
      else next = th.dataset.type === "text" ? "ascending" : "descending";
      sortBy(th, next);
    });
  }

  const savedSort = (recall("sort") || "").split(":");
  const savedHeader = headers.find((th) => String(th.cellIndex) === savedSort[0]);
  if (savedHeader && (savedSort[1] === "ascending" || savedSort[1] === "descending")) {
    sortBy(savedHeader, savedSort[1]);
  }
  filter.value = recall("filter") || "";
  filter.addEventListener("input", applyFilter);
  const savedStatus = recall("status") || "";
  if (Array.from(statusFilter.options).some((o) => o.value === savedStatus)) statusFilter.value = savedStatus;
  statusFilter.addEventListener("change", applyFilter);
  applyFilter();
  // Filtering an empty table would only be noise next to the first-pulse hint.
  document.getElementById("tools").hidden = rows.length === 0;

  // The first-pulse hint knows only a placeholder; the browser knows where the API lives.
  const base = document.getElementById("pulse-base");
  if (base && /^https?:$/.test(window.location.protocol)) {
    const url = new URL("pulse", window.location.href);
    base.textContent = url.origin + url.pathname;
  }
})();
