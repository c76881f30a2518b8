/* The chairs' theme page: a search box over the long list of provisions to link a response
   to (the checkboxes work without it). */
(function () {
  "use strict";
  // The page's words, in its language (synthesis/routes.py, synthesis_script_messages);
  // {shown} and {total} are numbers written here in the page's language.
  var script = document.querySelector("script[src*=\"synthesis.js\"][data-messages]");
  var WORDS = JSON.parse((script && script.getAttribute("data-messages")) || "{}");
  var LOCALE = document.documentElement.lang === "fr" ? "fr-FR" : "en-GB";
  function fmt(n) { return n.toLocaleString(LOCALE); }
  document.querySelectorAll("ul[data-filterable]").forEach(function (list) {
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    if (items.length < 8) { return; }
    var id = "filter-" + list.getAttribute("data-filterable");
    var wrap = document.createElement("div");
    wrap.className = "field filter-box";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = WORDS.find || "";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.setAttribute("aria-controls", list.id || "");
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    list.parentNode.insertBefore(wrap, list);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.textContent.toLowerCase();
        var checked = item.querySelector("input:checked") !== null;
        var match = checked || words.every(function (w) { return text.indexOf(w) >= 0; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      var message = WORDS.shown || "";
      status.textContent = words.length ? message.replace("{shown}", fmt(shown)).replace("{total}", fmt(items.length)) : "";
    });
  });
})();
