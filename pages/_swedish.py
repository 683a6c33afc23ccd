"""Streamlit's own words in Swedish (issue 26): its skip link, file uploader, menus and labels, and our
own page for an address that does not exist.

Streamlit 1.67 has no setting for the language of its interface: the uploader says "Drag and drop a
file here", the skip link "Skip to main content", a screen reader hears "Collapse sidebar". One small
script, installed once per browser tab through ``st.html``'s supported ``unsafe_allow_javascript``, sets
``<html lang="sv">`` (WCAG 3.1.1) and puts the Swedish words in their place whenever Streamlit draws them:
visible text, the ``aria-label``, ``title`` and ``placeholder`` a screen reader reads and Plotly's
``data-title`` tooltips. The same script closes the "Page not found" dialog that Streamlit's old
pages/-folder mode shows in front of the right page when a server's first request is a deep link.
Nothing in the installed package is patched; a text Streamlit adds in a later version shows up in the browser test's
list of English words (tests/e2e/test_layout.py) rather than silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import urlsplit

import streamlit as st

#: Streamlit's words (whole texts, trimmed) -> ours
TEXTS: dict[str, str] = {
    "Skip to main content": "Hoppa till huvudinnehållet",
    "Drag and drop a file here": "Dra och släpp en fil här",
    "Drag and drop files here": "Dra och släpp filer här",
    "Upload": "Välj fil",
    "Add files": "Lägg till filer",
    "file upload": "filuppladdning",
    "Main menu": "Huvudmeny",
    "App pages": "Sidor",
    "Sidebar": "Sidopanel",
    "Collapse sidebar": "Fäll ihop sidopanelen",
    "Expand sidebar": "Fäll ut sidopanelen",
    "Navigate to home page": "Till startsidan",
    "Link to heading": "Länk till rubriken",
    "Notifications": "Meddelanden",
    "Clear value": "Rensa",
    "Clear all": "Rensa alla",
    "Selected values": "Valda värden",
    "Choose an option": "Välj",
    "Choose options": "Välj",
    "No results": "Inga träffar",
    "Press Enter to apply": "Tryck Enter för att använda",
    "Press Enter to submit form": "Tryck Enter för att skicka",
    "Close": "Stäng",
    "Open": "Öppna",
    "Delete": "Ta bort",
    "Remove": "Ta bort",
    "Running...": "Arbetar …",
    "Stop": "Stoppa",
    "Stop script": "Stoppa",
    "Rerun": "Kör om",
    "Print": "Skriv ut",
    "Record a screencast": "Spela in skärmen",
    "Record screen": "Spela in skärmen",
    "Start recording": "Starta inspelningen",
    "Stop recording": "Stoppa inspelningen",
    "Cancel recording": "Avbryt inspelningen",
    "Also record audio": "Spela in ljud också",
    "Settings": "Inställningar",
    "About": "Om",
    "Clear cache": "Töm cachen",
    "Developer options": "Utvecklaralternativ",
    "Theme": "Tema",
    "Increment": "Öka",
    "Decrement": "Minska",
    "Previous page": "Föregående sida",
    "Next page": "Nästa sida",
    "Copy to clipboard": "Kopiera",
    "Fullscreen": "Helskärm",
    "Show/hide columns": "Visa eller dölj kolumner",
    "Download as CSV": "Ladda ner som CSV",
    "Search": "Sök",
    "Close fullscreen": "Stäng helskärm",
    "Exit fullscreen": "Stäng helskärm",
    "Connecting": "Ansluter",
    "Page not found": "Sidan finns inte",
    "The page that you have requested does not seem to exist. Running the app's main page.": "Sidan finns inte. Visar startsidan.",
    # Plotly's chart toolbar (only the camera is shown; its tooltip is a data-title)
    "Download plot as a png": "Spara diagrammet som PNG",
    "Download plot as a PNG": "Spara diagrammet som PNG",
    "Download plot": "Spara diagrammet",
    "Autoscale": "Anpassa skalan",
    "Reset axes": "Återställ axlarna",
}

#: texts with a part that varies: (JavaScript regular expression, replacement)
PATTERNS: list[tuple[str, str]] = [
    (r"^([\d.,]+)\s*([KMG]?B) per file", "Högst $1 $2 per fil"),
    (r"^Remove (.+)$", "Ta bort $1"),
    (r"^Upload (.+)$", "Välj $1"),
    (r"^Page (\d+)$", "Sida $1"),
    (r"^Help for (.+)$", "Hjälp om $1"),
]

_SCRIPT = r"""<script>
(() => {
  if (window.__svInstalled) { window.__svFix && window.__svFix(); return; }
  window.__svInstalled = true;
  const T = %s, P = %s.map(([re, to]) => [new RegExp(re), to]);
  const tr = (s) => { const t = s.trim(); if (!t) return null;
    if (Object.prototype.hasOwnProperty.call(T, t)) return s.replace(t, T[t]);
    for (const [re, to] of P) if (re.test(t)) return s.replace(t, t.replace(re, to));
    return null; };
  const ATTRS = ["aria-label", "title", "placeholder", "data-title"];
  const fix = (root) => {
    if (root.nodeType === 3) { const n = tr(root.nodeValue); if (n !== null && n !== root.nodeValue) root.nodeValue = n; return; }
    if (root.nodeType !== 1) return;
    for (const el of [root, ...root.querySelectorAll("*")]) {
      for (const a of ATTRS) { const v = el.getAttribute(a); if (v) { const n = tr(v); if (n !== null && n !== v) el.setAttribute(a, n); } }
    }
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) { const t = tr(n.nodeValue); if (t !== null && t !== n.nodeValue) n.nodeValue = t; }
  };
  // A server's first request for a deep link (/makt-och-halsa) runs in Streamlit's old pages/-folder mode,
  // which announces "Page not found" in a dialog before it runs the right page anyway: close that dialog.
  const NOT_FOUND = /does not seem to exist|Sidan finns inte\. Visar startsidan/;
  const closeNotFound = () => { for (const d of document.querySelectorAll('[role="dialog"]')) {
    if (NOT_FOUND.test(d.textContent)) { const b = d.querySelector('button[aria-label]'); if (b) b.click(); } } };
  window.__svFix = () => { document.documentElement.lang = "sv"; fix(document.body); closeNotFound(); };
  window.__svFix();
  setTimeout(window.__svFix, 1000); setTimeout(window.__svFix, 3000);  // what a busy first load drew meanwhile
  new MutationObserver((ms) => { closeNotFound(); for (const m of ms) {
    if (m.type === "childList") m.addedNodes.forEach(fix);
    else if (m.type === "characterData") fix(m.target);
    else if (m.type === "attributes") fix(m.target);
  } }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS});
})();
</script>"""


def install() -> None:
    """Streamlit's words in Swedish from now on, in this browser tab: the observer is installed once, and
    every run goes over the page again. The element differs from run to run (a counter), so the browser
    runs it each time, also where a run's first elements were replaced before they were drawn (a busy
    server's first session, in Streamlit's pages/-folder mode)."""
    n = int(st.session_state.get("_swedish_runs", 0)) + 1
    st.session_state["_swedish_runs"] = n
    script = _SCRIPT % (json.dumps(TEXTS, ensure_ascii=False), json.dumps(PATTERNS, ensure_ascii=False))
    st.html(f"{script}<!-- {n} -->", unsafe_allow_javascript=True, width="content")


def _not_found() -> None:
    st.title("Sidan finns inte")
    st.markdown("Adressen leder inte till någon sida i uppföljningen. Välj en sida i menyn till vänster, "
                "eller gå till [Översikt](./).")


def unknown_address(pages: list[st.Page], start: st.Page, start_name: str) -> st.Page | None:
    """A page for an address no page has, so that Streamlit's English "Page not found … Running the
    app's main page" is never shown: the start page's own name (``/oversikt``; the start page is served
    at ``/``) leads to it, with the address's query; any other single-level address gets a Swedish page
    saying that it does not exist. None when the address is a page's (or the browser did not say)."""
    url = st.context.url
    if not url:
        return None
    path = urlsplit(url).path.strip("/")
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base):].strip("/")
    if not path or path in {p.url_path for p in pages} or "/" in path:
        return None
    def to_start() -> None:
        st.switch_page(start, query_params=st.query_params.to_dict())

    action: Callable[[], None] = to_start if path == start_name else _not_found
    return st.Page(action, title="Sidan finns inte", url_path=path, visibility="hidden")
