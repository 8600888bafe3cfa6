// heartbeat dashboard: links, filter and sort in the browser. The server sends every row's text in
// the default order, so the page shows everything without this script; at 10,000 pulses the rows
// are kept short, and the script adds what repeats: the links, the Edit column, classes, badges.
(() => {
  "use strict";
  const table = document.getElementById("pulses");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows).filter((row) => row.hasAttribute("data-k"));
  const headers = Array.from(table.querySelectorAll("thead th[data-type]"));
  const filter = document.getElementById("filter");
  const statusFilter = document.getElementById("status-filter");
  const showing = document.getElementById("showing");
  const noMatch = document.getElementById("no-match");
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const secretQuery = table.dataset.secret || "";

  // The page reloads itself every 120 s; keeping filter and sort per tab makes that painless.
  const remember = (name, value) => {
    try { window.sessionStorage.setItem("heartbeat." + name, value); } catch (e) { /* storage off */ }
  };
  const recall = (name) => {
    try { return window.sessionStorage.getItem("heartbeat." + name); } catch (e) { return null; }
  };

  // SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as lowercase hex: a pulse's id is the hash of
  // host + category + type + name. Synchronous, so it works outside secure contexts too.
  const K = new Uint32Array(64);
  {
    let found = 0;
    for (let n = 2; found < 64; n += 1) {
      let prime = true;
      for (let d = 2; d * d <= n; d += 1) if (n % d === 0) { prime = false; break; }
      if (prime) {
        K[found] = Math.floor((Math.cbrt(n) % 1) * 0x100000000);
        found += 1;
      }
    }
  }
  const encoder = new TextEncoder();
  const W = new Uint32Array(64);
  const sha256 = (text) => {
    const bytes = encoder.encode(text);
    const blocks = ((bytes.length + 9 + 63) >> 6) << 6;
    const data = new Uint8Array(blocks);
    data.set(bytes);
    data[bytes.length] = 0x80;
    const view = new DataView(data.buffer);
    view.setUint32(blocks - 8, Math.floor(bytes.length / 0x20000000));
    view.setUint32(blocks - 4, (bytes.length * 8) >>> 0);
    const h = Uint32Array.of(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let offset = 0; offset < blocks; offset += 64) {
      for (let t = 0; t < 16; t += 1) W[t] = view.getUint32(offset + 4 * t);
      for (let t = 16; t < 64; t += 1) {
        const s0 = rotr(W[t - 15], 7) ^ rotr(W[t - 15], 18) ^ (W[t - 15] >>> 3);
        const s1 = rotr(W[t - 2], 17) ^ rotr(W[t - 2], 19) ^ (W[t - 2] >>> 10);
        W[t] = W[t - 16] + s0 + W[t - 7] + s1;
      }
      let [a, b, c, d, e, f, g, k] = h;
      for (let t = 0; t < 64; t += 1) {
        const t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t];
        const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    return Array.from(h, (word) => word.toString(16).padStart(8, "0")).join("");
  };

  // Cell classes come from the headers (data-cell), so a new column needs only its <th> and <td>.
  const cellClasses = Array.from(table.tHead.rows[0].cells, (th) => th.dataset.cell || "");
  const nameColumn = cellClasses.indexOf("name");
  const statusColumn = cellClasses.indexOf("status");
  const deltaColumn = cellClasses.indexOf("num delta");
  // Per row, kept out of the DOM (10,000 attribute writes would cost more than the map):
  // the server's position, the numeric sort keys, the lowercased text the filter searches.
  const meta = new Map();
  const link = (href, text, label) => {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (label) a.setAttribute("aria-label", label);
    return a;
  };
  // The row's cells before the Edit column; the server leaves out trailing empty ones (a pulse that
  // never reported a run has no last run or exit code).
  const dataColumns = cellClasses.length - 1;
  rows.forEach((row, i) => {
    const cells = row.cells;
    while (cells.length < dataColumns) row.insertCell();
    for (let c = 0; c < cells.length; c += 1) if (cellClasses[c]) cells[c].className = cellClasses[c];
    const name = cells[nameColumn].textContent;
    const id = row.dataset.id || sha256(cells[0].textContent + cells[1].textContent + cells[2].textContent + name);
    cells[nameColumn].replaceChildren(link("pulses/" + id + "?" + secretQuery, name));
    row.insertCell().append(link("edit?" + secretQuery + "&id=" + id, "Edit", "Edit " + name));
    const exceeded = row.classList.contains("exceeded");
    row.className = exceeded ? "pulse exceeded" : "pulse";
    row.dataset.exceeded = String(exceeded);
    row.dataset.status = cells[statusColumn].textContent;
    if (exceeded) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "EXCEEDED";
      cells[deltaColumn].append(badge);
    }
    meta.set(row, {
      index: i,
      // Minutes since the last pulse, negated: "Last pulse" sorts by time, newest first.
      keys: row.dataset.k.split(" ").map((k, n) => (k === "-" ? -Infinity : n === 0 ? -Number(k) : Number(k))),
      text: row.textContent.replace(/\s+/g, " ").toLowerCase(),
    });
  });

  const applyFilter = () => {
    const query = filter.value.trim().toLowerCase();
    const wanted = statusFilter.value;
    let shown = 0;
    for (const row of rows) {
      const hit = (query === "" || meta.get(row).text.includes(query)) && (wanted === "" || row.dataset.status === wanted);
      if (row.hidden === hit) row.hidden = !hit; // untouched rows cost the browser nothing
      if (hit) shown += 1;
    }
    showing.textContent = "Showing " + shown + " of " + rows.length;
    noMatch.hidden = shown !== 0 || rows.length === 0;
    remember("filter", filter.value);
    remember("status", statusFilter.value);
  };

  const sortKey = (row, th) => {
    if (th.dataset.key !== undefined) {
      // Trailing "-" keys are left out of data-k: a missing key is one.
      const key = meta.get(row).keys[Number(th.dataset.key)];
      return key === undefined ? -Infinity : key;
    }
    const text = row.cells[th.cellIndex].textContent.trim();
    if (th.dataset.type !== "number") return text;
    return text === "" ? -Infinity : Number(text);
  };

  const sortBy = (th, direction) => {
    const type = th.dataset.type;
    const sign = direction === "ascending" ? 1 : -1;
    for (const other of headers) {
      if (other !== th) other.removeAttribute("aria-sort");
    }
    th.setAttribute("aria-sort", direction);
    const keyed = rows.map((row) => ({ row, key: sortKey(row, th), index: meta.get(row).index }));
    keyed.sort((a, b) => {
      const c = type === "text"
        ? collator.compare(a.key, b.key)
        : (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      // Ties keep the server's order, so repeated clicks never shuffle equal rows.
      return c !== 0 ? sign * c : a.index - b.index;
    });
    body.append(...keyed.map(({ row }) => row));
    remember("sort", th.cellIndex + ":" + direction);
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
