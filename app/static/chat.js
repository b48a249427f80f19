/* The chat page (/chat): loaded in its <head> (app.ui.mount_options).
 *
 * A new answer is shown from its start (the question at the top of the conversation,
 * not the answer's end); a counter under the question box near the limit; the
 * messages Gradio writes in English itself are shown in Dutch.
 */
(function () {
  var NL = [
    [/Connection to the server was lost\. Attempting reconnection\.*/,
     "De verbinding met de server is verbroken. We proberen opnieuw te verbinden; je vraag blijft staan."],
    [/Connection errored out\.?/, "De server is niet bereikbaar. Je vraag blijft staan; probeer het zo opnieuw."],
    [/Lost connection due to leaving page\. Rejoining queue\.*/, "De verbinding was verbroken. We sluiten weer aan…"],
    [/This application is currently busy\. Please try again\.?/, "Het is even druk. Probeer het zo opnieuw."],
    [/^Error$/, "Fout"],
    [/^Copy message$/, "Bericht kopiëren"],
    [/^Copied message$/, "Bericht gekopieerd"]
  ];
  function nl(text) {
    var t = text.trim();
    for (var i = 0; i < NL.length; i++) {
      if (NL[i][0].test(t)) return t.replace(NL[i][0], NL[i][1]);
    }
    return null;
  }
  function dutch(root) {
    var walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var n = walk.nextNode(); n; n = walk.nextNode()) {
      var t = nl(n.nodeValue);
      if (t !== null) n.nodeValue = t;
    }
    var named = root.querySelectorAll ? root.querySelectorAll("[aria-label],[title]") : [];
    Array.prototype.forEach.call(named, function (e) {
      ["aria-label", "title"].forEach(function (a) {
        var t = e.hasAttribute(a) ? nl(e.getAttribute(a)) : null;
        if (t !== null) e.setAttribute(a, t);
      });
    });
  }
  function scroller(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      var o = getComputedStyle(p).overflowY;
      if ((o === "auto" || o === "scroll") && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  }
  var seen = 0;
  function showStart() {
    var rows = document.querySelectorAll("#liso-chat .message-row.user-row, #liso-chat .user-row");
    if (rows.length < seen) seen = rows.length;
    if (rows.length <= seen) return;
    seen = rows.length;
    var row = rows[rows.length - 1];
    var box = scroller(row);
    if (box) box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    var top = row.getBoundingClientRect().top; // on a phone the page itself may hide it
    if (top < 0 || top > window.innerHeight - 40) window.scrollBy(0, top - 8);
  }
  // a counter under the question box near the limit; a longer question is refused
  // by the server with a Dutch message and stays in the box
  document.addEventListener("input", function (e) {
    var box = e.target.closest && e.target.closest("#liso-question");
    var out = document.getElementById("liso-count");
    if (!box || !out) return;
    var n = e.target.value.length;
    var fmt = function (x) { return x.toLocaleString("nl-NL"); };
    out.textContent = n < 1600 ? "" : fmt(n) + " van " + fmt(2000) + " tekens" +
      (n > 2000 ? ": te lang. Maak je vraag korter, dan kun je hem versturen." : "");
    out.classList.toggle("liso-bad", n > 2000);
  });
  // new nodes only: rewriting text while Gradio updates it would never settle
  new MutationObserver(function (changes) {
    changes.forEach(function (c) {
      c.addedNodes.forEach(function (n) {
        if (n.nodeType === 1) dutch(n);
        else if (n.nodeType === 3 && n.parentNode) dutch(n.parentNode);
      });
    });
    showStart();
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
