// The article editor: nothing beyond htmx's preview buttons is needed; this file keeps the
// preview request carrying the body under the name the preview view reads ("text").
document.addEventListener("htmx:configRequest", function (event) {
  "use strict";
  var source = event.detail.elt && event.detail.elt.getAttribute("data-preview-source");
  if (!source) { return; }
  var field = document.getElementById(source);
  event.detail.parameters = { text: field ? field.value : "" };
});
