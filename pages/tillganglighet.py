"""Tillgänglighet: the accessibility statement (tillgänglighetsredogörelse) that the law requires.

Lagen (2018:1937) om tillgänglighet till digital offentlig service asks for WCAG 2.1 AA (through
EN 301 549) and a statement of what is met, what is not, and how to report a problem. The
structure follows the model statement of Myndigheten för digital förvaltning (Digg). Who receives
reports is the deployment's choice: an e-mail address and a telephone number from the settings
(``settings.accessibility_contact``), the demo's placeholders until a municipality sets its own.
"""

import streamlit as st

from jamstalldhet.base.formatting import markdown_text
from jamstalldhet.base.settings import accessibility_contact
from pages._shared import cat, setup

REVIEWED = "2026-12-03"

setup()
unit = cat().unit or "förvaltningen som ansvarar för uppföljningen"
email, phone, placeholder = accessibility_contact()
ways = []
if email:
    ways.append(f"e-post till [{markdown_text(email)}](mailto:{email})" if "@" in email and " " not in email else markdown_text(email))
if phone:
    ways.append(f"telefon {markdown_text(phone)}")
reach = f"{unit}: " + " eller ".join(ways)
if placeholder:
    reach += " (exempeladresser i demon; en kommun anger sina egna, se README)"

st.title("Tillgänglighetsredogörelse")
st.markdown(
    f"{unit} står bakom Jämställdhetsuppföljningen. Vi vill att så många som möjligt ska kunna använda den, "
    "och här beskriver vi hur den uppfyller lagen om tillgänglighet till digital offentlig service, vilka "
    "kända brister som finns och hur du kan rapportera problem till oss så att vi kan åtgärda dem."
)

st.header("Hur tillgänglig är tjänsten?")
st.markdown(
    "Tjänsten är **delvis förenlig** med lagen (2018:1937) om tillgänglighet till digital offentlig service "
    "(WCAG 2.1 nivå AA genom EN 301 549), på grund av de brister som beskrivs nedan."
)

st.subheader("Det här uppfyller tjänsten")
st.markdown(
    """
- Sidornas språk är angivet som svenska, så att skärmläsare läser med svenskt uttal.
- All text har minst kontrasten 4,5 : 1 mot bakgrunden, även bildtexter och förklaringar, och den
  markering som visar var tangentbordet står är tydlig.
- Varje diagram har en textsammanfattning i en mening (till exempel *Avslutade till studier 2018:
  12,0 % av kvinnorna och 6,0 % av männen*) och en tabell med samma siffror direkt intill.
- Färg bär aldrig ensam information: staplarna har texten *Kvinnor* och *Män* under sig och männens
  staplar är randiga; linjerna i trenddiagrammen har olika streck och symboler; om en skillnad är
  statistiskt säkerställd och om könsfördelningen är jämn (40/60) står i ord.
- Ett diagram där alla värden är dolda av röjandekontrollen ersätts av en mening som säger det, på
  skärmen och i årsrapporten.
- Alla knappar, val och tabeller går att nå och använda med enbart tangentbordet. I rapportläge är
  tabellerna vanliga tabeller som inte behöver rullas.
- Årsrapporten (HTML och PDF) har svenska som språk, rubriker i rätt ordning och en taggad PDF.
- Varje ändring av tjänsten testas automatiskt med axe-core mot reglerna för WCAG 2.1 nivå A och AA, på
  alla sidor, i rapportläge, på importsidan efter en uppladdning och på årsrapporten.
"""
)

st.subheader("Kända brister")
st.markdown(
    """
- **Tabellerna med uppgifter från en importerad fil** (förhandsgranskningen och listan över problem på
  sidan Importera) ritas av verktyget Streamlit som ett rutnät på en rityta. Tangentbordet når dem (Tab,
  sedan piltangenterna), men alla skärmläsare läser inte upp cellerna på ett bra sätt. Alla tabeller med
  uppföljningens siffror är vanliga tabeller med rubriker för rader och kolumner.
- **Diagrammen** går att förstora och peka på med mus, men inte med tangentbordet. All information i
  dem finns i en mening som skärmläsare läser före diagrammet, och i tabellen under det.
- **Sidans språk** sätts av ett skript när sidan har laddats, eftersom Streamlit saknar en inställning
  för det. Ett hjälpmedel som läser sidan innan skriptet har körts kan under ett ögonblick uppfatta den
  som engelsk.
- **Diagrammen i PDF:en** är bilder utan egen alternativtext i PDF-filen. Meningen under varje diagram
  (figurtexten) och tabellen intill säger samma sak.
- **Manuell granskning.** Tjänsten har granskats med automatiska verktyg och med tangentbord, men ännu
  inte av användare av skärmläsare. Automatiska verktyg hittar inte alla brister.
- **Standardtexter.** Texterna som verktyget Streamlit själv lägger till (i uppladdningsrutan, i sidans
  meny och de namn som skärmläsare hör för knappar) byts till svenska av samma skript som sätter sidans
  språk. Ett hjälpmedel som läser sidan innan skriptet har körts kan under ett ögonblick höra dem på
  engelska.
"""
)

st.header("Vad kan du göra om du inte kan använda delar av tjänsten?")
st.markdown(
    f"Om du behöver uppföljningen i ett annat format, till exempel som ett tillgängligt Word-dokument eller "
    f"uppläst, kontakta {reach}."
)

st.header("Rapportera brister i tjänstens tillgänglighet")
st.markdown(
    f"Vi strävar hela tiden efter att förbättra tjänstens tillgänglighet. Om du upptäcker problem som inte "
    f"beskrivs på den här sidan, eller om du anser att vi inte uppfyller lagens krav, kontakta {reach}. "
    "Berätta vilken sida det gäller och vad som inte fungerar, så att vi kan åtgärda det."
)

st.header("Tillsyn")
st.markdown(
    "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn för lagen om tillgänglighet till "
    "digital offentlig service. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du "
    "[kontakta Digg och påtala det](https://www.digg.se/tdosanmalan)."
)

st.header("Hur vi testat tjänsten")
st.markdown(
    f"Vi har själva granskat tjänsten med axe-core (WCAG 2.1 nivå A och AA) i webbläsaren Chromium och med "
    f"enbart tangentbord. Granskningen görs automatiskt vid varje ändring. Redogörelsen uppdaterades senast "
    f"{REVIEWED}."
)
