// Quick exit: leave the site at once, for someone who may be watched. The button is a plain
// link (it works without JavaScript); with JavaScript it also replaces this page in the history
// (the Back button does not return here) and answers to Esc pressed twice.
(function () {
  "use strict";
  function leave(event) {
    var link = document.getElementById("quick-exit");
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    document.body.style.display = "none";
    window.location.replace(link.href);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var link = document.getElementById("quick-exit");
    if (link) { link.addEventListener("click", leave); }
  });
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - lastEscape < 800) { leave(event); }
    lastEscape = now;
  });
})();
