// Select a passage of the provision text to comment on it (progressive enhancement: without
// this script the form comments on the whole provision). Offsets are counted in the
// element's textContent, as the server's provision text is; the server re-validates them.
(function () {
  "use strict";
  var CONTEXT = 32;
  var text = document.getElementById("provision-text");
  var button = document.getElementById("comment-on-passage");
  var form = document.getElementById("comment-form");
  if (!text || !button || !form) { return; }
  var fields = {};
  ["quote_exact", "quote_prefix", "quote_suffix", "quote_start", "quote_end"].forEach(function (name) {
    fields[name] = document.getElementById(name);
  });
  var preview = document.getElementById("quote-preview");
  var previewText = document.getElementById("quote-preview-text");
  var hint = document.getElementById("quote-hint");
  var clear = document.getElementById("quote-clear");
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
    return {
      exact: full.slice(start, end),
      prefix: full.slice(Math.max(0, start - CONTEXT), start),
      suffix: full.slice(end, end + CONTEXT),
      start: start,
      end: end
    };
  }

  function showQuote(quote) {
    fields.quote_exact.value = quote ? quote.exact : "";
    fields.quote_prefix.value = quote ? quote.prefix : "";
    fields.quote_suffix.value = quote ? quote.suffix : "";
    fields.quote_start.value = quote ? String(quote.start) : "";
    fields.quote_end.value = quote ? String(quote.end) : "";
    previewText.textContent = quote ? quote.exact : "";
    preview.hidden = !quote;
    hint.hidden = !!quote;
  }

  function placeButton() {
    pending = currentQuote();
    if (!pending) { button.hidden = true; return; }
    var rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    button.hidden = false;
    button.classList.add("floating");
    button.style.setProperty("--top", (window.scrollY + rect.bottom + 6) + "px");
    button.style.setProperty("--left", (window.scrollX + rect.left) + "px");
  }

  document.addEventListener("selectionchange", function () {
    window.clearTimeout(placeButton.timer);
    placeButton.timer = window.setTimeout(placeButton, 120);
  });

  button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  button.addEventListener("click", function () {
    var quote = pending || currentQuote();
    if (!quote) { return; }
    showQuote(quote);
    button.hidden = true;
    var body = form.querySelector("textarea[name=body]");
    form.scrollIntoView({ behavior: "smooth", block: "start" });
    if (body) { body.focus({ preventScroll: true }); }
  });

  if (clear) {
    clear.addEventListener("click", function () { showQuote(null); });
  }
  showQuote(fields.quote_exact.value ? {
    exact: fields.quote_exact.value, prefix: fields.quote_prefix.value,
    suffix: fields.quote_suffix.value, start: fields.quote_start.value, end: fields.quote_end.value
  } : null);
}());
