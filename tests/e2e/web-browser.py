#!/usr/bin/python3
"""tests/e2e/web-browser.py - one person in headless Chromium at grondslag-web.

The person is the client certificate in the NSS database under HOME (a
managed Chromium policy selects it without a dialog, recipes.md section 9).

  web-browser.py HOME BASE SHOTS ACTION [ARGS...]
    queue REF LOGIN [withheld]
                              the queue lists REF, signed in as LOGIN;
                              screenshot queue-<person>.png
    hold REF NRCPTS [BASIS]   the hold page (its recipients, the basis
                              offered); screenshot hold-<person>.png
    decide REF ACTION RCPT BASIS REASON [confirm|noconfirm]
                              the decision form -> the confirmation page
                              (screenshot confirm-<person>.png), then confirm
    history REF               the hold page's records of the chain: one
                              line "chain SEQ EVENT ACTOR ROLE | DETAILS"
                              each; screenshot history-<person>.png
    message REF [refused]     from the hold page to the message (headers,
                              body, the attachment's text: all inert
                              text); screenshot message-<person>.png; with
                              refused: the page is the daemon's refusal
    decide ... keyboard       the same with the keyboard only (Tab, Space,
                              arrows, typing, Enter): no click
    case REF ACT [LOGIN] [TEXT]
                              on the hold page, the case form of ACT
                              (claim, handover, comment, advice): the
                              colleague chosen, the text typed, sent; the
                              "Recorded" page, then the hold page's case
                              ("case holder ..." and "case advice ..."
                              lines) and the queue's Case cell ("queue
                              case ..."); screenshot case-<act>-<person>.png
    noforms REF               the hold page has no case form (auditors)
    sender REF OTHER LOGIN TEXT
                              a sender: the queue lists REF, not OTHER, and
                              has no overview link; OTHER's page reads
                              exactly as a reference of no hold; REF's
                              page has no decision form and no message
                              link; the urgent review asked with TEXT,
                              then shown on REF's page ("urgent by ...",
                              "urgent text ..." lines); a second request
                              is not offered; screenshots
                              sender-queue-<person>.png,
                              sender-hold-<person>.png
    urgent REF                a jurist: the queue marks REF urgent with
                              the waiting time ("queue urgent ..."), first
                              when sorted by urgency; the hold page shows
                              the request ("hold urgent ..." lines);
                              screenshot urgent-queue-<person>.png
    overview                  the overview, reached by the header's link:
                              "overview COUNT N" lines, "overview oldest
                              REF" and "overview expiring REF" lines;
                              screenshot overview-<person>.png
    bulk PARTY ACTION BASIS REASON
                              the queue filtered by PARTY, its form "Decide
                              all N matching holds" filled (BASIS "-": none)
                              -> the preview: one "bulk row REF RCPT PARTY |
                              NEXT" line per recipient; screenshot
                              bulk-preview-<person>.png; confirmed -> "bulk
                              done H1" and its rows; screenshot
                              bulk-done-<person>.png
Every page visited is checked with axe-core (GRONDSLAG_AXE: the path of
axe.min.js, injected into the page by WebDriver, not by the page): no
serious or critical violation.
Prints one line per check, "ok DESC" or "not ok DESC: why"; exit 0.
Each check reads the DOM, never only the page source.
"""
import os
import sys

home, base, shots, action = sys.argv[1:5]
args = sys.argv[5:]
os.environ["HOME"] = home

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoAlertPresentException, StaleElementReferenceException, TimeoutException,
    WebDriverException)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

person = os.path.basename(home.rstrip("/"))


def check(cond, desc, why=""):
    print(("ok %s" % desc) if cond else ("not ok %s: %s" % (desc, why)), flush=True)
    return cond


def load(d, url):
    """Open url; a renderer that does not answer within the page load
    timeout (seen with ChromeDriver on a machine busy with a make check
    beside a make asan) is asked again, at most twice; then the error
    stands."""
    for attempt in range(3):
        try:
            d.get(url)
            return
        except TimeoutException:
            if attempt == 2:
                raise
            print("# %s: no answer from the renderer, asked again" % url, flush=True)


def wait_new_page(d, old):
    """Wait until the page whose <html> was old is replaced and the next
    one has its heading (a busy machine may take a while)."""
    def gone(_d):
        # ChromeDriver may answer "Node ... does not belong to the
        # document" (a plain WebDriverException) for the old page's node
        # instead of a stale-element error: both mean the page changed.
        try:
            old.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return True
    WebDriverWait(d, 60).until(gone)
    WebDriverWait(d, 60).until(lambda x: x.find_elements(By.TAG_NAME, "h1"))


def submit(d, css):
    """Click the submit button css and wait for the next page (the click
    itself does not wait)."""
    old = d.find_element(By.TAG_NAME, "html")
    d.find_element(By.CSS_SELECTOR, css).click()
    wait_new_page(d, old)


def no_alert(d, where):
    try:
        text = d.switch_to.alert.text
        check(False, "%s: no alert" % where, "an alert said %r" % text)
    except NoAlertPresentException:
        check(True, "%s: no alert" % where)


def no_active_elements(d, where):
    n = d.execute_script(
        "return document.querySelectorAll('script,svg,img,iframe,object,embed,"
        "[onerror],[onload],a[href^=\"javascript\"]').length")
    check(n == 0, "%s: no injected element in the DOM" % where, "%d found" % n)


AXE = os.environ.get("GRONDSLAG_AXE", "")
# t-web.sh's message: the hostile one, or (WEB_GUIDE=1, the guide's
# screenshots) a plain one whose words must be shown as written.
GUIDE = os.environ.get("WEB_GUIDE") == "1"
GUIDE_SUBJECT = "Compromised FortiGate devices in your constituency (COATHANGER)"
GUIDE_FILE = "fortigate-jp.csv"


def axe(d, where):
    """axe-core on the page as it is now: no serious or critical violation
    (WCAG 2 A/AA and best practices)."""
    try:
        src = open(AXE).read()
    except OSError as e:
        check(False, "%s: accessibility (axe-core)" % where, "axe-core not found: %s" % e)
        return
    d.execute_script(src)
    d.set_script_timeout(60)
    res = d.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(function (r) { done(r.violations.map(function (v) {"
        "  return [v.id, v.impact, v.nodes.length, v.help]; })); })"
        ".catch(function (e) { done('error: ' + e); });")
    if isinstance(res, str):
        check(False, "%s: accessibility (axe-core)" % where, res)
        return
    for v in res:
        print("# axe %s: %s (%s, %d nodes): %s" % (where, v[0], v[1], v[2], v[3]))
    bad = [v for v in res if v[1] in ("serious", "critical")]
    check(not bad, "%s: no serious accessibility violation (axe-core)" % where,
          "; ".join("%s (%s)" % (v[0], v[1]) for v in bad))


def tab_to(d, want, what, limit=200):
    """Press Tab until the focused element satisfies want; it, or an
    error naming what."""
    for _ in range(limit):
        ActionChains(d).send_keys(Keys.TAB).perform()
        el = d.switch_to.active_element
        if want(el):
            return el
    raise RuntimeError("keyboard: no %s reached with Tab" % what)


def keyboard_decide(d, act, rcpt, basis, reason):
    """Fill the decision form with the keyboard only and submit it."""
    box = tab_to(d, lambda e: e.get_attribute("name") == "rcpt" and
                 e.get_attribute("value").strip("<>") == rcpt, "recipient " + rcpt)
    box.send_keys(Keys.SPACE)
    check(box.is_selected(), "keyboard: Space ticks the recipient")
    radio = tab_to(d, lambda e: e.get_attribute("name") == "action", "action")
    for _ in range(5):
        if radio.get_attribute("value") == act:
            break
        radio.send_keys(Keys.ARROW_DOWN)
        radio = d.switch_to.active_element
    if not radio.is_selected():
        radio.send_keys(Keys.SPACE)
    check(radio.get_attribute("value") == act and radio.is_selected(),
          "keyboard: the arrows choose %s" % act)
    if act == "approve":
        sel = tab_to(d, lambda e: e.get_attribute("name") == "basis", "basis")
        for _ in range(60):
            if sel.get_attribute("value") == basis:
                break
            sel.send_keys(Keys.ARROW_DOWN)
        check(sel.get_attribute("value") == basis, "keyboard: the arrows choose the basis")
    text = tab_to(d, lambda e: e.get_attribute("name") == "reason", "justification")
    text.send_keys(reason)
    old = d.find_element(By.TAG_NAME, "html")
    tab_to(d, lambda e: e.tag_name == "button" and e.get_attribute("type") == "submit",
           "submit button").send_keys(Keys.ENTER)
    return old


o = webdriver.ChromeOptions()
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--user-data-dir=" + os.path.join(home, "chrome"), "--window-size=1400,1000"]:
    o.add_argument(a)
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
d.set_page_load_timeout(60)
try:
    if action == "queue":
        ref = args[0]
        load(d, base + "/")
        who = d.find_element(By.ID, "person").text
        check(who == args[1], "queue: signed in as the certificate's person", who)
        refs = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#queue a.ref")]
        check(ref in refs, "queue lists the hold (%s)" % person, "refs %r" % refs)
        d.save_screenshot(os.path.join(shots, "queue-%s.png" % person))
        axe(d, "queue")
        no_alert(d, "queue")
        no_active_elements(d, "queue")
        subj = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#queue td.subject")]
        print("# subjects: %r" % subj)
        if len(args) > 2 and args[2] == "withheld":
            check(all("withheld" in s for s in subj), "queue: the Subject is withheld", repr(subj))
        elif GUIDE:
            check(any(GUIDE_SUBJECT in s for s in subj), "queue: the Subject shown as written",
                  repr(subj))
        else:
            check(any("<script>" in s for s in subj), "queue: the hostile Subject shown as text",
                  repr(subj))
            check(any("[U+202E]" in s for s in subj), "queue: the RTL override shown as [U+202E]",
                  repr(subj))
    elif action == "hold":
        ref = args[0]
        load(d, base + "/hold/" + ref)
        check(d.find_element(By.TAG_NAME, "h1").text == "Hold " + ref, "hold page of " + ref,
              d.find_element(By.TAG_NAME, "h1").text)
        d.save_screenshot(os.path.join(shots, "hold-%s.png" % person))
        axe(d, "hold")
        no_alert(d, "hold")
        no_active_elements(d, "hold")
        parts = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#parts td.filename")]
        print("# parts: %r" % parts)
        if GUIDE:
            check(any(GUIDE_FILE in p for p in parts),
                  "hold: the attachment's name shown as written", repr(parts))
        else:
            check(any("<svg onload=alert(4)>" in p for p in parts),
                  "hold: the hostile attachment name shown as text", repr(parts))
            check(any("x[U+202E]csv.exe" in p for p in parts),
                  "hold: the RTL override in the file name shown as [U+202E]", repr(parts))
        rows = d.find_elements(By.CSS_SELECTOR, "#recipients tbody tr")
        check(len(rows) == int(args[1]) if len(args) > 1 else len(rows) > 0,
              "hold: one row per recipient", "%d rows" % len(rows))
        opts = [e.get_attribute("value") for e in d.find_elements(By.CSS_SELECTOR,
                                                                  "select[name=basis] option")]
        print("# bases offered: %r" % opts)
        if len(args) > 2:
            check(args[2] in opts, "hold: the party's basis is offered", repr(opts))
    elif action == "history":
        load(d, base + "/hold/" + args[0])
        no_alert(d, "history")
        no_active_elements(d, "history")
        rows = d.find_elements(By.CSS_SELECTOR, "#chain tbody tr")
        check(len(rows) > 0, "history: the hold's records of the chain are listed", "none")
        for r in rows:
            c = [td.text for td in r.find_elements(By.TAG_NAME, "td")]
            print("chain %s %s %s %s | %s" % (c[0], c[2], c[3], c[4], c[5]))
        d.find_element(By.ID, "chain").location_once_scrolled_into_view
        d.save_screenshot(os.path.join(shots, "history-%s.png" % person))
        axe(d, "hold (auditor)")
    elif action == "message" and len(args) > 1 and args[1] == "refused":
        load(d, base + "/hold/" + args[0] + "/message")
        h1 = d.find_element(By.TAG_NAME, "h1").text
        err = d.find_elements(By.ID, "error")
        check(h1 == "Refused", "message: the console shows the daemon's refusal", h1)
        check(not d.find_elements(By.ID, "message-text"), "message: no text shown")
        axe(d, "refusal")
        print("refusal %s | %s" % (h1, err[0].text if err else ""))
    elif action == "message":
        ref = args[0]
        load(d, base + "/hold/" + ref)
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.ID, "read-message").click()
        wait_new_page(d, old)
        h1 = d.find_element(By.TAG_NAME, "h1").text
        check(h1 == "Message of hold " + ref, "message page of " + ref, h1)
        d.save_screenshot(os.path.join(shots, "message-%s.png" % person))
        axe(d, "message")
        no_alert(d, "message")
        no_active_elements(d, "message")
        heads = d.find_element(By.ID, "message-headers").text
        body = d.find_element(By.ID, "message-text").text
        print("# body: %r" % body[:300])
        if GUIDE:
            check("Subject: " + GUIDE_SUBJECT in heads, "message: the Subject header as written",
                  heads[:300])
            check("Dear colleagues," in body, "message: the body as written", body[:300])
        else:
            check('Subject: <script>alert("s")</script>' in heads,
                  "message: the hostile Subject header shown as text", heads[:300])
            check("[U+202E]" in heads,
                  "message: the RTL override in the headers shown as [U+202E]")
            check("<script>alert(5)</script>" in body and 'href="javascript:alert(7)"' in body,
                  "message: the hostile body shown as text", body[:300])
        check(d.execute_script("return document.getElementById('message-text').children.length")
              == 0, "message: the body's markup made no element")
        links = d.find_elements(By.CSS_SELECTOR, "#message-parts a")
        att = [a for a in links if (GUIDE_FILE if GUIDE else "svg") in a.text]
        check(len(att) == 1, "message: the attachment is listed as a part with its name",
              repr([a.text for a in links]))
        if att:
            old = d.find_element(By.TAG_NAME, "html")
            att[0].click()
            wait_new_page(d, old)
            text = d.find_element(By.ID, "message-text").text
            print("# attachment: %r" % text[:300])
            check("133.1.2.3" in text and (GUIDE or "<script>alert(8)</script>" in text),
                  "message: the attachment's extracted text shown as text", text[:300])
            no_alert(d, "attachment")
            axe(d, "message (attachment)")
            no_active_elements(d, "attachment")
            check(d.execute_script("return document.querySelectorAll('a[download]').length") == 0,
                  "message: nothing offered as a download")
    elif action == "decide":
        ref, act, rcpt, basis, reason = args[:5]
        keyboard = len(args) > 5 and args[5] == "keyboard"
        confirm = len(args) < 6 or args[5] in ("confirm", "keyboard")
        load(d, base + "/hold/" + ref)
        if keyboard:
            wait_new_page(d, keyboard_decide(d, act, rcpt, basis, reason))
        else:
            for box in d.find_elements(By.CSS_SELECTOR, "input[name=rcpt]"):
                if box.get_attribute("value").strip("<>") == rcpt:
                    box.click()
            d.find_element(By.CSS_SELECTOR, "input[name=action][value=%s]" % act).click()
            if act == "approve":
                Select(d.find_element(By.NAME, "basis")).select_by_value(basis)
            d.find_element(By.NAME, "reason").send_keys(reason)
            submit(d, "#decide button[type=submit]")
        h1 = d.find_element(By.TAG_NAME, "h1").text
        err = d.find_elements(By.ID, "error")
        print("# after the form: %s %s" % (h1, err[0].text if err else ""))
        if not confirm:
            # the refusal page (e.g. an auditor): its words on stdout
            check(h1 == "Refused", "the console shows the daemon's refusal", h1)
            print("refusal %s | %s" % (h1, err[0].text if err else ""))
            d.save_screenshot(os.path.join(shots, "refused-%s.png" % person))
            axe(d, "refusal")
        else:
            d.save_screenshot(os.path.join(shots, "confirm-%s.png" % person))
            named = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#named li")]
            check(len(named) == 1 and rcpt in named[0],
                  "confirmation names exactly the recipient", repr(named))
            nxt = d.find_element(By.ID, "next").text
            print("next %s" % nxt)
            no_alert(d, "confirmation")
            axe(d, "confirmation")
            if keyboard:
                old = d.find_element(By.TAG_NAME, "html")
                tab_to(d, lambda e: e.tag_name == "button" and
                       e.get_attribute("type") == "submit", "confirm button").send_keys(Keys.ENTER)
                wait_new_page(d, old)
            else:
                submit(d, "#confirm button[type=submit]")
            h1 = d.find_element(By.TAG_NAME, "h1").text
            state = d.find_elements(By.ID, "state")
            print("done %s | %s" % (h1, state[0].text if state else "-"))
            d.save_screenshot(os.path.join(shots, "done-%s.png" % person))
            axe(d, "decision")
    elif action == "case":
        ref, act = args[:2]
        load(d, base + "/hold/" + ref)
        forms = d.find_elements(By.ID, "case-" + act)
        check(len(forms) == 1, "case: the hold page offers " + act, "no form")
        if forms:
            if len(args) > 2 and args[2] != "-":
                Select(d.find_element(By.ID, act + "-to")).select_by_value(args[2])
            if len(args) > 3:
                d.find_element(By.ID, act + "-text").send_keys(args[3])
            submit(d, "#case-%s button[type=submit]" % act)
            h1 = d.find_element(By.TAG_NAME, "h1").text
            err = d.find_elements(By.ID, "error")
            check(h1 == "Recorded", "case: %s recorded" % act,
                  "%s %s" % (h1, err[0].text if err else ""))
            for pre in d.find_elements(By.ID, "case-text"):
                print("case text %s" % pre.text.replace("\n", " "))
                check(not pre.find_elements(By.CSS_SELECTOR, "*"),
                      "case: the recorded text is inert text", pre.get_attribute("innerHTML"))
            d.save_screenshot(os.path.join(shots, "case-%s-%s.png" % (act, person)))
            axe(d, "case recorded")
            no_alert(d, "case recorded")
            load(d, base + "/hold/" + ref)
            print("case holder %s" % d.find_element(By.ID, "case-holder").text)
            for li in d.find_elements(By.CSS_SELECTOR, "#advice-pending li"):
                print("case advice %s" % li.text)
            axe(d, "hold with its case")
            load(d, base + "/")
            for row in d.find_elements(By.CSS_SELECTOR, "#queue tbody tr"):
                if row.find_element(By.CSS_SELECTOR, "a.ref").text == ref:
                    print("queue case %s" % row.find_element(By.CSS_SELECTOR, "td.case").text
                          .replace("\n", " "))
    elif action == "overview":
        load(d, base + "/")
        old = d.find_element(By.TAG_NAME, "html")
        d.find_element(By.CSS_SELECTOR, "header nav a[href='/overview']").click()
        wait_new_page(d, old)
        h1 = d.find_element(By.TAG_NAME, "h1").text
        check(h1 == "Overview", "overview: reached from the header", h1)
        for td in d.find_elements(By.CSS_SELECTOR, "#counts td"):
            print("overview %s %s" % (td.get_attribute("id")[len("count-"):], td.text))
        for lst in ("oldest", "expiring", "release-failures"):
            for a in d.find_elements(By.CSS_SELECTOR, "#%s a.ref" % lst):
                print("overview %s %s" % (lst, a.text))
        d.save_screenshot(os.path.join(shots, "overview-%s.png" % person))
        axe(d, "overview")
        no_alert(d, "overview")
    elif action == "sender":
        ref, other, login, text = args[:4]
        load(d, base + "/")
        who = d.find_element(By.ID, "person").text
        check(who == login, "sender: signed in as the certificate's person", who)
        refs = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#queue a.ref")]
        check(ref in refs, "sender: the queue lists the sender's hold", repr(refs))
        check(other not in refs, "sender: the queue lacks the other sender's hold", repr(refs))
        check(not d.find_elements(By.CSS_SELECTOR, "header nav a[href='/overview']"),
              "sender: no overview link")
        d.save_screenshot(os.path.join(shots, "sender-queue-%s.png" % person))
        axe(d, "sender queue")
        no_alert(d, "sender queue")
        load(d, base + "/hold/" + other)
        seen_other = (d.find_element(By.TAG_NAME, "h1").text,
                      d.find_element(By.ID, "error").text if d.find_elements(By.ID, "error")
                      else "")
        load(d, base + "/hold/G20200101-0000000000")
        seen_none = (d.find_element(By.TAG_NAME, "h1").text,
                     d.find_element(By.ID, "error").text if d.find_elements(By.ID, "error")
                     else "")
        print("# other %r, none %r" % (seen_other, seen_none))
        check(seen_other == seen_none and seen_other[0] == "Not found",
              "sender: another's hold reads exactly as no hold", repr(seen_other))
        load(d, base + "/hold/" + ref)
        check(not d.find_elements(By.ID, "decide"), "sender: no decision form")
        check(not d.find_elements(By.ID, "read-message"), "sender: no link to the message")
        check(not d.find_elements(By.ID, "chain"), "sender: not the jurists' records")
        states = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#recipients td.state")]
        check(states and all(st == "held" for st in states),
              "sender: each recipient's state shown", repr(states))
        forms = d.find_elements(By.ID, "case-urgent")
        check(len(forms) == 1, "sender: the urgent review is offered", "no form")
        axe(d, "sender hold")
        if forms:
            d.find_element(By.ID, "urgent-text").send_keys(text)
            submit(d, "#case-urgent button[type=submit]")
            h1 = d.find_element(By.TAG_NAME, "h1").text
            err = d.find_elements(By.ID, "error")
            check(h1 == "Recorded", "sender: the urgent request recorded",
                  "%s %s" % (h1, err[0].text if err else ""))
            axe(d, "sender urgent recorded")
            load(d, base + "/hold/" + ref)
            print("urgent by %s" % d.find_element(By.ID, "urgent-by").text)
            print("urgent text %s" % d.find_element(By.ID, "urgent-justification").text
                  .replace("\n", " / "))
            check(not d.find_elements(By.ID, "case-urgent"),
                  "sender: a second request is not offered")
            d.save_screenshot(os.path.join(shots, "sender-hold-%s.png" % person))
            axe(d, "sender hold with the request")
            no_alert(d, "sender hold")
    elif action == "urgent":
        ref = args[0]
        load(d, base + "/?sort=urgent")
        rows = d.find_elements(By.CSS_SELECTOR, "#queue tbody tr")
        first = rows[0].find_element(By.CSS_SELECTOR, "a.ref").text if rows else ""
        check(first == ref, "urgent: first in the queue sorted by urgency", first)
        for row in rows:
            if row.find_element(By.CSS_SELECTOR, "a.ref").text == ref:
                cell = row.find_element(By.CSS_SELECTOR, "td.case")
                marks = cell.find_elements(By.CSS_SELECTOR, "strong.urgent")
                check(len(marks) == 1, "urgent: the queue marks the hold")
                print("queue urgent %s" % cell.text.replace("\n", " "))
        d.save_screenshot(os.path.join(shots, "urgent-queue-%s.png" % person))
        axe(d, "queue sorted by urgency")
        load(d, base + "/?urgent=1")
        refs = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#queue a.ref")]
        check(refs == [ref], "urgent: the urgent filter lists only it", repr(refs))
        print("queue urgent-count %s" % d.find_element(By.ID, "count-urgent").text)
        load(d, base + "/hold/" + ref)
        print("hold urgent by %s" % d.find_element(By.ID, "urgent-by").text)
        print("hold urgent waited %s" % d.find_element(By.ID, "urgent-waited").text)
        print("hold urgent text %s" % d.find_element(By.ID, "urgent-justification").text
              .replace("\n", " / "))
        axe(d, "hold with an urgent request")
        no_alert(d, "hold with an urgent request")
        no_active_elements(d, "hold with an urgent request")
    elif action == "bulk":
        party, act, basis, reason = args[:4]
        load(d, base + "/?party=" + party)
        axe(d, "queue with the bulk form")
        d.find_element(By.CSS_SELECTOR, "#bulk-form input[name=action][value=%s]" % act).click()
        if basis != "-":
            Select(d.find_element(By.CSS_SELECTOR, "#bulk-form select[name=basis]")
                   ).select_by_value(basis)
        d.find_element(By.CSS_SELECTOR, "#bulk-form textarea[name=reason]").send_keys(reason)
        submit(d, "#bulk-form button[type=submit]")

        def rows(tag):
            for tr in d.find_elements(By.CSS_SELECTOR, "#bulk tr.bulk-rcpt"):
                td = [c.text for c in tr.find_elements(By.TAG_NAME, "td")]
                print("%s %s %s %s | %s" % (tag, td[0], td[2], td[3], td[4]), flush=True)
        print("# preview: %s" % d.find_element(By.TAG_NAME, "h1").text)
        rows("bulk row")
        d.save_screenshot(os.path.join(shots, "bulk-preview-%s.png" % person))
        no_alert(d, "bulk preview")
        no_active_elements(d, "bulk preview")
        axe(d, "bulk preview")
        submit(d, "#confirm button[type=submit]")
        print("bulk done %s" % d.find_element(By.TAG_NAME, "h1").text, flush=True)
        rows("bulk done row")
        d.save_screenshot(os.path.join(shots, "bulk-done-%s.png" % person))
        axe(d, "bulk decision")
    elif action == "noforms":
        load(d, base + "/hold/" + args[0])
        n = len(d.find_elements(By.CSS_SELECTOR, "form.case"))
        check(n == 0, "hold: no case form for this person", "%d forms" % n)
        print("case holder %s" % d.find_element(By.ID, "case-holder").text)
finally:
    d.quit()
