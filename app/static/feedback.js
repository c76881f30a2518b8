// Feedback on a provision's page: small, plain progressive enhancement. Without this script
// every form still works (the comment form sits under the page and comments on the whole
// provision; a quote can be chosen on the form's own page).
//
// - Character counts on textareas with data-maxlength, like GOV.UK's component: the count,
//   never a cut (no maxlength); the server refuses an over-long text and keeps it.
// - Drafts kept in sessionStorage while typing, restored if the page is left unsent.
// - Select a passage: a button beside its end opens the comment form next to it (a side
//   panel on a wide screen, a bottom sheet on a phone).
// - Passages quoted by the comments the reader may see are highlighted with a count; a click
//   shows those comments.
// Offsets are counted in #provision-text's textContent, as the server's provision text is;
// the server re-validates every quote.
(function () {
  "use strict";
  var CONTEXT = 32;
  var NARROW = 640;   // px: below this, panels are bottom sheets
  var GAP = 16;

  // The page's words, in its language (feedback/names.py, script_messages); {n} is a number.
  var script = document.querySelector("script[src*=\"feedback.js\"][data-messages]");
  var WORDS = JSON.parse((script && script.getAttribute("data-messages")) || "{}");
  var LOCALE = document.documentElement.lang === "fr" ? "fr-FR" : "en-GB";
  function fmt(n) { return n.toLocaleString(LOCALE); }
  function say(message, n) { return (message || "").replace("{n}", fmt(n)); }
  function count(forms, n) { return say((forms || {})[n === 0 ? "zero" : n === 1 ? "one" : "other"], n); }
  function chars(s) { return Array.from(s.replace(/\r\n?/g, "\n").trim()).length; }

  // ---- Character counts -------------------------------------------------------------
  function characterCount(area) {
    var limit = parseInt(area.getAttribute("data-maxlength"), 10);
    if (!limit || area.readOnly) { return; }
    var id = area.id || (area.id = "ta-" + Math.random().toString(36).slice(2));
    var shown = document.createElement("p");
    shown.className = "char-count";
    shown.id = id + "-count";
    shown.setAttribute("aria-hidden", "true");
    var status = document.createElement("p");
    status.className = "sr-only";
    status.setAttribute("aria-live", "polite");
    status.id = id + "-count-status";
    area.insertAdjacentElement("afterend", status);
    area.insertAdjacentElement("afterend", shown);
    var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    var hint = document.createElement("span");
    hint.className = "sr-only";
    hint.id = id + "-count-hint";
    hint.textContent = say(WORDS.limit, limit);
    status.insertAdjacentElement("afterend", hint);
    described.push(hint.id);
    area.setAttribute("aria-describedby", described.join(" "));
    var timer = null;
    function message() {
      var left = limit - chars(area.value);
      if (left < 0) {
        return count(WORDS.over, -left);
      }
      return count(WORDS.left, left);
    }
    function update() {
      var over = chars(area.value) > limit;
      shown.textContent = message();
      shown.classList.toggle("over", over);
      area.classList.toggle("over-limit", over);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { status.textContent = message(); }, 1000);
    }
    area.addEventListener("input", update);
    shown.textContent = message();
    shown.classList.toggle("over", chars(area.value) > limit);
  }
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-maxlength]"), characterCount);

  // ---- Drafts kept in this tab ------------------------------------------------------
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  function target(form) { return new URL(form.action, window.location.href).pathname; }
  function keyFor(form, area) { return "plenary-draft:" + target(form) + ":" + area.name; }
  // Back on the page after a comment was saved (its #comment-N is here): forget that draft.
  (function () {
    if (!store) { return; }
    var sent = store.getItem("plenary-draft-sent");
    var hash = window.location.hash;
    if (!sent || !/^#comment-\d+$/.test(hash) || !document.querySelector(hash + ".mine")) { return; }
    Object.keys(store).forEach(function (key) {
      if (key.indexOf("plenary-draft:" + sent + ":") === 0) { store.removeItem(key); }
    });
    store.removeItem("plenary-draft-sent");
  }());

  Array.prototype.forEach.call(document.querySelectorAll("form.comment-form, .reply-box form"), function (form) {
    if (!store) { return; }
    var areas = form.querySelectorAll("textarea:not([readonly])");
    var restored = false;
    Array.prototype.forEach.call(areas, function (area) {
      var saved = store.getItem(keyFor(form, area));
      if (saved && !area.value.trim()) {
        area.value = saved;
        area.dispatchEvent(new Event("input"));
        restored = true;
      }
      area.addEventListener("input", function () {
        if (area.value.trim()) { store.setItem(keyFor(form, area), area.value); }
        else { store.removeItem(keyFor(form, area)); }
      });
    });
    if (restored) {
      var note = document.createElement("p");
      note.className = "notice restored";
      note.setAttribute("role", "status");
      note.textContent = WORDS.restored;
      form.insertBefore(note, form.firstChild);
      var box = form.closest("details");
      if (box) { box.open = true; }
    }
    form.addEventListener("submit", function () { store.setItem("plenary-draft-sent", target(form)); });
  });
  var text = document.getElementById("provision-text");
  if (!text) { return; }

  // ---- Placing a panel next to a passage ---------------------------------------------
  function docRect(r) {
    return { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY,
             left: r.left + window.scrollX, right: r.right + window.scrollX };
  }
  function narrow() { return window.innerWidth <= NARROW; }

  // Put `panel` beside the passage whose last line box is `last` (viewport coordinates): in
  // the margin right of the text where there is room, else under that line; on a phone, a
  // sheet at the bottom of the screen.
  function place(panel, last) {
    panel.classList.add("docked");
    panel.style.removeProperty("--top");
    panel.style.removeProperty("--left");
    panel.style.removeProperty("--width");
    if (narrow()) { panel.classList.add("sheet"); return; }
    panel.classList.remove("sheet");
    var column = text.getBoundingClientRect();
    var room = document.documentElement.clientWidth - column.right - 2 * GAP;
    var origin = panel.offsetParent ? panel.offsetParent.getBoundingClientRect() : { top: -window.scrollY, left: -window.scrollX };
    var top, left, width;
    if (room >= 280) {
      width = Math.min(room, 420);
      left = column.right + GAP;
      top = Math.max(last.top, column.top);
    } else {
      width = Math.min(column.width, 640);
      left = column.left;
      top = last.bottom + 8;
    }
    panel.style.setProperty("--top", (top - origin.top) + "px");
    panel.style.setProperty("--left", (left - origin.left) + "px");
    panel.style.setProperty("--width", width + "px");
  }

  function unplace(panel) {
    panel.classList.remove("docked", "sheet");
  }

  // ---- Selecting a passage to comment on it ------------------------------------------
  var button = document.getElementById("comment-on-passage");
  var form = document.getElementById("comment-form");
  var card = form ? form.closest(".comment-card") : null;
  var home = null;
  var fields = {};
  ["quote_exact", "quote_prefix", "quote_suffix", "quote_start", "quote_end"].forEach(function (name) {
    fields[name] = document.getElementById(name);
  });
  var pending = null;

  function offsetOf(node, offset) {
    var range = document.createRange();
    range.selectNodeContents(text);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function currentQuote() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return null; }
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) { return null; }
    var full = text.textContent;
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    while (start < end && /\s/.test(full.charAt(start))) { start += 1; }
    while (end > start && /\s/.test(full.charAt(end - 1))) { end -= 1; }
    if (end <= start) { return null; }
    var rects = range.getClientRects();
    return {
      exact: full.slice(start, end),
      prefix: full.slice(Math.max(0, start - CONTEXT), start),
      suffix: full.slice(end, end + CONTEXT),
      start: start,
      end: end,
      first: rects.length ? rects[0] : range.getBoundingClientRect(),
      last: rects.length ? rects[rects.length - 1] : range.getBoundingClientRect()
    };
  }

  function showQuote(quote) {
    if (!form) { return; }
    fields.quote_exact.value = quote ? quote.exact : "";
    fields.quote_prefix.value = quote ? quote.prefix : "";
    fields.quote_suffix.value = quote ? quote.suffix : "";
    fields.quote_start.value = quote ? String(quote.start) : "";
    fields.quote_end.value = quote ? String(quote.end) : "";
    document.getElementById("quote-preview-text").textContent = quote ? quote.exact : "";
    document.getElementById("quote-preview").hidden = !quote;
    document.getElementById("quote-hint").hidden = !!quote;
  }

  // The button goes beside the selection's end: in the margin right of the text on a wide
  // screen, never over the text; on a phone, at the bottom of the screen (or the top, when
  // the selection is down there).
  function placeButton() {
    pending = currentQuote();
    if (!pending) { button.hidden = true; return; }
    button.hidden = false;
    button.classList.add("floating");
    button.classList.remove("at-bottom", "at-top");
    var column = text.getBoundingClientRect();
    var width = button.offsetWidth;
    if (!narrow() && column.right + 8 + width <= document.documentElement.clientWidth - 4) {
      var origin = button.offsetParent ? button.offsetParent.getBoundingClientRect() : { top: -window.scrollY, left: -window.scrollX };
      var top = pending.last.top + pending.last.height / 2 - button.offsetHeight / 2;
      button.style.setProperty("--top", (top - origin.top) + "px");
      button.style.setProperty("--left", (column.right + 8 - origin.left) + "px");
    } else {
      button.classList.add(pending.last.bottom > window.innerHeight - 90 ? "at-top" : "at-bottom");
    }
  }

  function openForm(quote) {
    if (!card) { return; }
    showQuote(quote);
    if (!home) {
      home = document.createComment("comment form");
      card.parentNode.insertBefore(home, card);
    }
    text.insertAdjacentElement("afterend", card);
    place(card, quote.last);
    card.querySelector(".dock-close").hidden = false;
    var body = form.querySelector("textarea[name=body]");
    if (body) { body.focus({ preventScroll: true }); }
    // On a phone the sheet covers the lower part of the screen: bring the passage above it.
    if (narrow()) { window.scrollBy(0, quote.last.top - window.innerHeight * 0.15); }
  }

  function closeForm() {
    if (!card || !home) { showQuote(null); return; }
    unplace(card);
    home.parentNode.insertBefore(card, home);
    card.querySelector(".dock-close").hidden = true;
    showQuote(null);
  }

  // The form's own page has the form right under the text: no need to move it.
  function useForm(quote) {
    if (card) { openForm(quote); return; }
    showQuote(quote);
    form.scrollIntoView({ behavior: "smooth", block: "start" });
    var body = form.querySelector("textarea[name=body]");
    if (body) { body.focus({ preventScroll: true }); }
  }

  if (button && form) {
    document.addEventListener("selectionchange", function () {
      window.clearTimeout(placeButton.timer);
      placeButton.timer = window.setTimeout(placeButton, 120);
    });
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      var quote = pending || currentQuote();
      if (!quote) { return; }
      button.hidden = true;
      useForm(quote);
    });
    if (card) {
      card.querySelector(".dock-close").addEventListener("click", function () { closeForm(); button.focus(); });
    }
    document.getElementById("quote-clear").addEventListener("click", function () { closeForm(); });
    if (fields.quote_exact.value) {
      showQuote({ exact: fields.quote_exact.value, prefix: fields.quote_prefix.value,
                  suffix: fields.quote_suffix.value, start: fields.quote_start.value,
                  end: fields.quote_end.value });
    }
  }

  // ---- Highlights of the passages commented on -----------------------------------------
  var data = document.getElementById("comment-anchors");
  var anchors = data ? JSON.parse(data.textContent) : [];
  var full = text.textContent;

  function locate(a) {
    if (a.start != null && full.slice(a.start, a.end) === a.exact) { return [a.start, a.end]; }
    var best = -1, bestScore = -1, at = full.indexOf(a.exact);
    while (at >= 0) {
      var score = (full.slice(Math.max(0, at - a.prefix.length), at) === a.prefix ? 2 : 0) +
                  (full.slice(at + a.exact.length, at + a.exact.length + a.suffix.length) === a.suffix ? 2 : 0) -
                  Math.abs(at - (a.start || 0)) / 1e7;
      if (score > bestScore) { best = at; bestScore = score; }
      at = full.indexOf(a.exact, at + 1);
    }
    return best < 0 ? null : [best, best + a.exact.length];
  }

  var groups = {};
  anchors.forEach(function (a) {
    var span = a.exact ? locate(a) : null;
    if (!span) { return; }
    var key = span[0] + "-" + span[1];
    (groups[key] = groups[key] || { start: span[0], end: span[1], ids: [] }).ids.push(a.id);
  });
  var list = Object.keys(groups).map(function (k) { return groups[k]; });

  function highlight() {
    if (!list.length) { return; }
    var cuts = {};
    list.forEach(function (g) { cuts[g.start] = true; cuts[g.end] = true; });
    var walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    var nodes = [], node, pos = 0;
    while ((node = walker.nextNode())) { nodes.push([node, pos]); pos += node.data.length; }
    nodes.forEach(function (entry) {
      var n = entry[0], base = entry[1], len = n.data.length;
      var points = Object.keys(cuts).map(Number).filter(function (c) { return c > base && c < base + len; });
      points.sort(function (x, y) { return y - x; });
      var pieces = [];
      points.forEach(function (c) { pieces.unshift([n.splitText(c - base), c]); });
      pieces.unshift([n, base]);
      pieces.forEach(function (piece) {
        var s = piece[1], e = s + piece[0].data.length;
        var ids = [];
        list.forEach(function (g) { if (g.start <= s && e <= g.end) { ids = ids.concat(g.ids); } });
        if (!ids.length || !piece[0].data.length) { return; }
        var mark = document.createElement("mark");
        mark.className = "comment-highlight";
        mark.setAttribute("data-comments", ids.join(" "));
        list.forEach(function (g) { if (g.end === e && g.start <= s) { g.lastMark = mark; } });
        piece[0].parentNode.insertBefore(mark, piece[0]);
        mark.appendChild(piece[0]);
      });
    });
    list.forEach(function (g) {
      var m = g.lastMark;
      if (!m) { return; }
      var n = g.ids.length;
      m.classList.add("has-count");
      m.setAttribute("data-count", String(n));
      m.setAttribute("data-group", g.ids.join(" "));
      m.setAttribute("tabindex", "0");
      m.setAttribute("role", "button");
      m.setAttribute("aria-label", count(WORDS.marks, n));
    });
  }

  var popover = null;
  function showComments(ids, mark) {
    if (popover) { popover.remove(); }
    popover = document.createElement("section");
    popover.className = "highlight-comments";
    popover.setAttribute("role", "dialog");
    popover.setAttribute("aria-labelledby", "highlight-comments-heading");
    var head = document.createElement("div");
    head.className = "dock-head";
    var h = document.createElement("h2");
    h.id = "highlight-comments-heading";
    h.textContent = count(WORDS.heading, ids.length);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link dock-close";
    close.textContent = WORDS.close;
    head.appendChild(h);
    head.appendChild(close);
    popover.appendChild(head);
    ids.forEach(function (id) {
      var source = document.getElementById("comment-" + id);
      if (!source) { return; }
      var copy = source.cloneNode(true);
      copy.removeAttribute("id");
      copy.removeAttribute("aria-labelledby");
      Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (el) { el.removeAttribute("id"); });
      Array.prototype.forEach.call(copy.querySelectorAll("details, form"), function (el) { el.remove(); });
      var link = document.createElement("a");
      link.href = "#comment-" + id;
      link.textContent = WORDS.thread;
      link.className = "in-thread";
      copy.appendChild(link);
      popover.appendChild(copy);
    });
    text.insertAdjacentElement("afterend", popover);
    var rects = mark.getClientRects();
    place(popover, rects[rects.length - 1] || mark.getBoundingClientRect());
    close.addEventListener("click", function () { popover.remove(); popover = null; mark.focus(); });
    h.setAttribute("tabindex", "-1");
    h.focus({ preventScroll: true });
    if (narrow()) { window.scrollBy(0, (rects[0] || mark.getBoundingClientRect()).top - window.innerHeight * 0.15); }
  }

  highlight();
  text.addEventListener("click", function (event) {
    var mark = event.target.closest ? event.target.closest("mark.comment-highlight") : null;
    if (!mark) { return; }
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed) { return; }
    showComments((mark.getAttribute("data-group") || mark.getAttribute("data-comments")).split(" "), mark);
  });
  text.addEventListener("keydown", function (event) {
    var mark = event.target;
    if ((event.key === "Enter" || event.key === " ") && mark.classList && mark.classList.contains("has-count")) {
      event.preventDefault();
      showComments(mark.getAttribute("data-group").split(" "), mark);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    if (popover) { popover.remove(); popover = null; }
    else if (card && card.classList.contains("docked")) { closeForm(); }
  });
}());
