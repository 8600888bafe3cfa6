// heartbeat dashboard: links, filter and sort in the browser. The server sends every row's text in
// the default order, so the page shows everything without this script; at 10,000 pulses the rows
// are kept short, and the script adds what repeats: the links, the Edit column, the cells' classes.
// Each row's state is in its data-status (the stylesheet colours it) and in words in its Status cell.
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
  // The row's cells before the Edit column; the server leaves out trailing empty ones (a pulse that
  // never reported a run has no last run or exit code).
  const dataColumns = cellClasses.length - 1;

  // At 10,000 rows the browser's table layout, not this script, is what costs: every row laid out
  // or restyled takes time. So the page shows a window of rows (the first WINDOW that match, more
  // on demand) in a body of their own, before the server's, and the server's body stays
  // display: none while JavaScript runs (`@media (scripting: enabled)` in the stylesheet, so no row
  // is styled or laid out while the page loads); without JavaScript every row shows. A row gets its
  // links, cells and classes only when it is first shown.
  const WINDOW = 50;
  const windowBody = document.createElement("tbody");
  windowBody.id = "shown-pulses";
  body.before(windowBody);
  // Browsers without the media feature, and the first-pulse hint of an empty table.
  if (rows.length === 0) table.classList.add("unwindowed");
  else if (!window.matchMedia("(scripting: enabled)").matches) table.classList.add("windowed");
  const prepared = new Uint8Array(rows.length);
  const texts = new Array(rows.length); // lowercased text the filter searches, on first use
  const keys = new Array(rows.length); // data-k parsed, on first use
  const link = (href, text, label) => {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (label) a.setAttribute("aria-label", label);
    return a;
  };
  const textOf = (i) => {
    if (texts[i] === undefined) {
      const row = rows[i];
      // Read before the row is prepared (the Edit link would add its word); the state is in the
      // Status cell's words.
      texts[i] = row.textContent.replace(/\s+/g, " ").toLowerCase();
    }
    return texts[i];
  };
  const statusOf = (i) => rows[i].dataset.status;
  // The states in the order the server lists them (the filter's options): the Status sort's key,
  // those that need attention first.
  const rank = new Map(Array.from(statusFilter.options, (o, n) => [o.value, n]));
  const prepare = (i) => {
    if (prepared[i]) return;
    prepared[i] = 1;
    textOf(i);
    const row = rows[i];
    const cells = row.cells;
    while (cells.length < dataColumns) row.insertCell();
    for (let c = 0; c < cells.length; c += 1) if (cellClasses[c]) cells[c].className = cellClasses[c];
    const name = cells[nameColumn].textContent;
    const id = row.dataset.id || sha256(cells[0].textContent + cells[1].textContent + cells[2].textContent + name);
    cells[nameColumn].replaceChildren(link("pulses/" + id + "?" + secretQuery, name));
    row.insertCell().append(link("edit?" + secretQuery + "&id=" + id, "Edit", "Edit " + name));
    row.className = "pulse";
  };

  // "Show more" under the table; it also fires by itself when scrolled near (below).
  const more = document.createElement("p");
  more.className = "more";
  more.hidden = true;
  const moreButton = document.createElement("button");
  moreButton.type = "button";
  more.append(moreButton);
  table.parentElement.after(more);

  const serverOrder = rows.map((row, i) => i);
  let compare = null; // of two row indices, in the chosen sort; null: the server's order
  let sortedAll = serverOrder; // every row in that sort, kept for an empty filter
  let matches = serverOrder; // the rows that pass the filter, in that sort
  let limit = WINDOW;
  let shownRows = [];

  // Shows the first `limit` matches, in order, in the window; the rows shown before go back.
  const render = () => {
    const wanted = matches.slice(0, limit).map((i) => {
      prepare(i);
      return rows[i];
    });
    const keep = new Set(wanted);
    const leaving = shownRows.filter((row) => !keep.has(row));
    if (leaving.length) body.append(...leaving);
    windowBody.append(...wanted);
    shownRows = wanted;
    const rest = matches.length - wanted.length;
    more.hidden = rest === 0;
    moreButton.textContent = "Show " + Math.min(rest, WINDOW) + " more (" + rest + " not shown)";
  };
  moreButton.addEventListener("click", () => {
    limit += WINDOW;
    render();
  });
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !more.hidden) moreButton.click();
    }, { rootMargin: "0px 0px 400px 0px" }).observe(more);
  }

  // Sorting costs more than filtering (10,000 rows compared by Intl.Collator), so only the rows
  // that pass the filter are sorted; all of them once, when nothing is filtered.
  const applyFilter = () => {
    const query = filter.value.trim().toLowerCase();
    const wanted = statusFilter.value;
    if (query === "" && wanted === "") {
      if (!sortedAll) sortedAll = serverOrder.slice().sort(compare);
      matches = sortedAll;
    } else {
      matches = serverOrder.filter((i) => (query === "" || textOf(i).includes(query)) && (wanted === "" || statusOf(i) === wanted));
      if (compare) matches.sort(compare);
    }
    limit = WINDOW;
    showing.textContent = "Showing " + matches.length + " of " + rows.length;
    noMatch.hidden = matches.length !== 0 || rows.length === 0;
    remember("filter", filter.value);
    remember("status", statusFilter.value);
  };

  const sortKeyOf = (th) => {
    if (th.dataset.type === "status") return (i) => rank.get(statusOf(i)) ?? rank.size;
    if (th.dataset.key !== undefined) {
      const n = Number(th.dataset.key);
      return (i) => {
        // Minutes since the last pulse, negated: "Last pulse" sorts by time, newest first.
        if (keys[i] === undefined) keys[i] = rows[i].dataset.k.split(" ").map((k, c) => (k === "-" ? -Infinity : c === 0 ? -Number(k) : Number(k)));
        // Trailing "-" keys are left out of data-k: a missing key is one.
        return keys[i][n] === undefined ? -Infinity : keys[i][n];
      };
    }
    const column = th.cellIndex;
    return (i) => {
      const cell = rows[i].cells[column]; // missing: a left-out empty cell
      const text = cell ? cell.textContent.trim() : "";
      if (th.dataset.type !== "number") return text;
      return text === "" ? -Infinity : Number(text);
    };
  };

  const sortBy = (th, direction) => {
    const sign = direction === "ascending" ? 1 : -1;
    for (const other of headers) {
      if (other !== th) other.removeAttribute("aria-sort");
    }
    th.setAttribute("aria-sort", direction);
    const keyOf = sortKeyOf(th);
    const sortKeys = new Map(); // row index → key, read on first use
    const key = (i) => {
      let k = sortKeys.get(i);
      if (k === undefined) {
        k = keyOf(i);
        sortKeys.set(i, k);
      }
      return k;
    };
    const byKey = th.dataset.type === "text"
      ? (a, b) => collator.compare(key(a), key(b))
      : (a, b) => {
        const ka = key(a);
        const kb = key(b);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      };
    // Ties keep the server's order, so repeated clicks never shuffle equal rows.
    compare = (a, b) => sign * byKey(a, b) || a - b;
    sortedAll = null;
    remember("sort", th.cellIndex + ":" + direction);
  };

  for (const th of headers) {
    th.querySelector("button").addEventListener("click", () => {
      const current = th.getAttribute("aria-sort");
      let next;
      if (current === "ascending") next = "descending";
      else if (current === "descending") next = "ascending";
      else next = th.dataset.type === "text" || th.dataset.type === "status" ? "ascending" : "descending";
      sortBy(th, next);
      applyFilter();
      render();
    });
  }

  const savedSort = (recall("sort") || "").split(":");
  const savedHeader = headers.find((th) => String(th.cellIndex) === savedSort[0]);
  if (savedHeader && (savedSort[1] === "ascending" || savedSort[1] === "descending")) {
    sortBy(savedHeader, savedSort[1]);
  }
  filter.value = recall("filter") || "";
  const savedStatus = recall("status") || "";
  if (Array.from(statusFilter.options).some((o) => o.value === savedStatus)) statusFilter.value = savedStatus;
  const filterAndRender = () => {
    applyFilter();
    render();
  };
  filter.addEventListener("input", filterAndRender);
  statusFilter.addEventListener("change", filterAndRender);
  applyFilter();
  render();
  // The filter's text of every row, read while the browser is idle after the first paint, so the
  // first keystroke does not wait for 10,000 rows' text.
  if ("requestIdleCallback" in window) {
    let next = 0;
    const readSome = (deadline) => {
      while (next < rows.length && deadline.timeRemaining() > 1) textOf(next++);
      if (next < rows.length) window.requestIdleCallback(readSome);
    };
    window.requestIdleCallback(readSome);
  }
  // Filtering an empty table would only be noise next to the first-pulse hint.
  document.getElementById("tools").hidden = rows.length === 0;

  // The first-pulse hint knows only a placeholder; the browser knows where the API lives.
  const base = document.getElementById("pulse-base");
  if (base && /^https?:$/.test(window.location.protocol)) {
    const url = new URL("pulse", window.location.href);
    base.textContent = url.origin + url.pathname;
  }
})();
