<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>ApiServerService</name>
    <message>
        <source>API server: {address}</source>
        <translation>API-Server: {address}</translation>
    </message>
    <message>
        <source>API server stopped.</source>
        <translation>API-Server beendet.</translation>
    </message>
</context>
<context>
    <name>ArchiveService</name>
    <message numerus="yes">
        <source>Exported %n conversation(s) to {path}.</source>
        <translation>
            <numerusform>%n Unterhaltung nach {path} exportiert.</numerusform>
            <numerusform>%n Unterhaltungen nach {path} exportiert.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Assistants</name>
    <message>
        <source>General chat</source>
        <translation>Allgemeiner Chat</translation>
    </message>
    <message>
        <source>Tutor</source>
        <translation>Tutor</translation>
    </message>
    <message>
        <source>Math</source>
        <translation>Mathematik</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>Support</translation>
    </message>
</context>
<context>
    <name>ChatService</name>
    <message>
        <source>No model is ready yet.</source>
        <translation>Noch ist kein Modell bereit.</translation>
    </message>
    <message>
        <source>The model is busy with another request; your answer comes next.</source>
        <translation>Das Modell bearbeitet gerade eine andere Anfrage; Ihre Antwort kommt als Nächstes.</translation>
    </message>
    <message>
        <source>Stopped before the model had loaded.</source>
        <translation>Angehalten, bevor das Modell geladen war.</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Page Up and Page Down scroll, Home and End go to the first and the newest message; Tab goes through the messages</source>
        <translation>Bild auf und Bild ab blättern, Pos1 und Ende springen zur ersten und zur neuesten Nachricht; Tab geht durch die Nachrichten</translation>
    </message>
    <message>
        <source>Ask anything. Everything stays on this computer.</source>
        <translation>Fragen Sie, was Sie wollen. Alles bleibt auf diesem Computer.</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier message(s): scroll up to see them</source>
        <translation>
            <numerusform>%n frühere Nachricht: nach oben scrollen, um sie zu sehen</numerusform>
            <numerusform>%n frühere Nachrichten: nach oben scrollen, um sie zu sehen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message (Enter sends, Shift+Enter: new line)</source>
        <translation>Nachricht (Enter sendet, Umschalt+Enter: neue Zeile)</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>Enter sends; Shift+Enter starts a new line; Ctrl+Tab types a tab</source>
        <translation>Eingabe sendet; Umschalt+Eingabe beginnt eine neue Zeile; Strg+Tab fügt einen Tabulator ein</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation>Antwort anhalten (Esc)</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Neu erzeugen</translation>
    </message>
    <message>
        <source>Answer the last message again</source>
        <translation>Die letzte Nachricht noch einmal beantworten</translation>
    </message>
    <message>
        <source>Stop the answer</source>
        <translation>Antwort anhalten</translation>
    </message>
    <message>
        <source>Regenerate the answer</source>
        <translation>Antwort neu erzeugen</translation>
    </message>
    <message>
        <source>Show the solution</source>
        <translation>Lösung zeigen</translation>
    </message>
    <message>
        <source>Who answers: switch at any time; the conversation so far stays</source>
        <translation>Wer antwortet: jederzeit wechselbar; die bisherige Unterhaltung bleibt</translation>
    </message>
    <message>
        <source>The learner&apos;s level</source>
        <translation>Niveau des Lernenden</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>Learner&apos;s level</source>
        <translation>Niveau des Lernenden</translation>
    </message>
    <message>
        <source>Assistant:</source>
        <translation>Assistent:</translation>
    </message>
    <message>
        <source>Quiz me</source>
        <translation>Abfragen</translation>
    </message>
    <message>
        <source>Questions on what we have been talking about</source>
        <translation>Fragen zu dem, worüber wir gesprochen haben</translation>
    </message>
    <message>
        <source>Show solution</source>
        <translation>Lösung zeigen</translation>
    </message>
    <message>
        <source>The tutor holds the answer back until you ask: the worked solution, checked</source>
        <translation>Der Tutor hält die Antwort zurück, bis Sie fragen: der geprüfte Lösungsweg</translation>
    </message>
    <message>
        <source>(after your first message)</source>
        <translation>(nach Ihrer ersten Nachricht)</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>Neue Unterhaltung beginnen (Strg+N)</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>Up and Down show a conversation, Enter goes to its message box; F2 renames; Delete deletes</source>
        <translation>Pfeil auf und ab zeigen eine Unterhaltung, Eingabe geht zu ihrem Nachrichtenfeld; F2 benennt um; Entf löscht</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Umbenennen…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Last active {when} UTC</source>
        <translation>Zuletzt aktiv {when} UTC</translation>
    </message>
    <message>
        <source>Rename conversation</source>
        <translation>Unterhaltung umbenennen</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>Unterhaltung löschen</translation>
    </message>
    <message>
        <source>Delete “{title}” and all its messages? This cannot be undone.</source>
        <translation>„{title}“ und alle Nachrichten darin löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
</context>
<context>
    <name>ConversationPanel</name>
    <message>
        <source>Who answers in this conversation</source>
        <translation>Wer in dieser Unterhaltung antwortet</translation>
    </message>
    <message>
        <source>The model for this conversation&apos;s answers</source>
        <translation>Das Modell für die Antworten dieser Unterhaltung</translation>
    </message>
    <message>
        <source>Instructions for this conversation</source>
        <translation>Anweisungen für diese Unterhaltung</translation>
    </message>
    <message>
        <source>Use the defaults</source>
        <translation>Standardwerte verwenden</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Instructions (system prompt)</source>
        <translation>Anweisungen (Systemprompt)</translation>
    </message>
    <message>
        <source>This conversation</source>
        <translation>Diese Unterhaltung</translation>
    </message>
    <message>
        <source>No instructions.</source>
        <translation>Keine Anweisungen.</translation>
    </message>
    <message>
        <source>Default ({value})</source>
        <translation>Standard ({value})</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>Default ({model})</source>
        <translation>Standard ({model})</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>noch keines</translation>
    </message>
    <message>
        <source>{model} (not installed)</source>
        <translation>{model} (nicht installiert)</translation>
    </message>
</context>
<context>
    <name>CutNote</name>
    <message>
        <source>Cut at the answer length limit.</source>
        <translation>An der Längengrenze für Antworten abgeschnitten.</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Go on with this answer</source>
        <translation>Diese Antwort fortsetzen</translation>
    </message>
</context>
<context>
    <name>DocumentsDialog</name>
    <message>
        <source>Support documents</source>
        <translation>Support-Dokumente</translation>
    </message>
    <message>
        <source>The Support assistant answers from these files (txt, md, html, pdf, docx) and cites them. They stay on this computer. To ask about one file once, drop it onto the message box instead.</source>
        <translation>Der Support-Assistent antwortet aus diesen Dateien (txt, md, html, pdf, docx) und nennt seine Quellen. Sie bleiben auf diesem Computer. Um einmalig zu einer einzelnen Datei zu fragen, ziehen Sie sie stattdessen auf das Nachrichtenfeld.</translation>
    </message>
    <message>
        <source>Documents the Support assistant answers from</source>
        <translation>Dokumente, aus denen der Support-Assistent antwortet</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>Dateien hinzufügen…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Re-index changed</source>
        <translation>Geänderte neu indizieren</translation>
    </message>
    <message numerus="yes">
        <source>%n passage(s)</source>
        <translation>
            <numerusform>%n Abschnitt</numerusform>
            <numerusform>%n Abschnitte</numerusform>
        </translation>
    </message>
    <message>
        <source>Indexing…</source>
        <translation>Indiziere…</translation>
    </message>
    <message>
        <source>Add a folder of documents</source>
        <translation>Ordner mit Dokumenten hinzufügen</translation>
    </message>
    <message>
        <source>Add documents</source>
        <translation>Dokumente hinzufügen</translation>
    </message>
    <message>
        <source>Documents (*.txt *.md *.markdown *.html *.htm *.pdf *.docx);;All files (*)</source>
        <translation>Dokumente (*.txt *.md *.markdown *.html *.htm *.pdf *.docx);;Alle Dateien (*)</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more.</source>
        <translation>
            <numerusform>… und %n weitere.</numerusform>
            <numerusform>… und %n weitere.</numerusform>
        </translation>
    </message>
    <message>
        <source>Left out:</source>
        <translation>Ausgelassen:</translation>
    </message>
    <message>
        <source>Indexing {done} of {total}: {name}</source>
        <translation>Indiziere {done} von {total}: {name}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Markdown</source>
        <translation>Markdown</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>JSON — complete; Smallwise imports it back</source>
        <translation>JSON – vollständig; Smallwise kann es wieder importieren</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>HTML — one page, opens in any browser</source>
        <translation>HTML – eine Seite, öffnet in jedem Browser</translation>
    </message>
    <message>
        <source>HTML page (*.html)</source>
        <translation>HTML-Seite (*.html)</translation>
    </message>
    <message>
        <source>Export conversations</source>
        <translation>Unterhaltungen exportieren</translation>
    </message>
    <message>
        <source>This conversation</source>
        <translation>Diese Unterhaltung</translation>
    </message>
    <message>
        <source>All conversations</source>
        <translation>Alle Unterhaltungen</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>As</source>
        <translation>Als</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>Exportieren nach</translation>
    </message>
    <message>
        <source>Import conversations</source>
        <translation>Unterhaltungen importieren</translation>
    </message>
    <message>
        <source>Smallwise export (*.json)</source>
        <translation>Smallwise-Export (*.json)</translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <source>Welcome to Smallwise</source>
        <translation>Willkommen bei Smallwise</translation>
    </message>
    <message>
        <source>Looking at this computer…</source>
        <translation>Dieser Computer wird untersucht…</translation>
    </message>
    <message>
        <source>Download times are for a {speed} Mbit/s connection; yours may be faster or slower. A download goes on if you close this page (Models → Models… shows it).</source>
        <translation>Die Downloadzeiten gelten für eine Verbindung mit {speed} Mbit/s; Ihre kann schneller oder langsamer sein. Ein Download läuft weiter, wenn Sie diese Seite schließen (Modelle → Modelle… zeigt ihn).</translation>
    </message>
    <message>
        <source>Try offline now</source>
        <translation>Jetzt offline ausprobieren</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Überspringen</translation>
    </message>
    <message>
        <source>Gemma 3 270M, already on this computer: a tiny base model. It proves everything works offline; its answers are weak.</source>
        <translation>Gemma 3 270M, schon auf diesem Computer: ein winziges Basismodell. Es zeigt, dass alles offline funktioniert; seine Antworten sind schwach.</translation>
    </message>
    <message>
        <source>Private assistants on this computer</source>
        <translation>Private Assistenten auf diesem Computer</translation>
    </message>
    <message>
        <source>Smallwise runs AI models on this computer: what you type never leaves it. A better model than the starter is one download away; here is what suits this machine.</source>
        <translation>Smallwise führt KI-Modelle auf diesem Computer aus: Was Sie eingeben, verlässt ihn nie. Ein besseres Modell als das Startmodell ist nur einen Download entfernt; hier sehen Sie, was zu diesem Rechner passt.</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation>{done} von {total}</translation>
    </message>
    <message>
        <source>{minutes} min left</source>
        <translation>noch {minutes} min</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Installed: new answers use it.</source>
        <translation>Installiert: Neue Antworten verwenden es.</translation>
    </message>
</context>
<context>
    <name>KnowledgeService</name>
    <message>
        <source>Indexing failed: {error}</source>
        <translation>Indizieren fehlgeschlagen: {error}</translation>
    </message>
    <message numerus="yes">
        <source>Indexed %n file(s)</source>
        <translation>
            <numerusform>%n Datei indiziert</numerusform>
            <numerusform>%n Dateien indiziert</numerusform>
        </translation>
    </message>
    <message>
        <source>({passages} passages); {unchanged} unchanged.</source>
        <translation>({passages} Abschnitte); {unchanged} unverändert.</translation>
    </message>
    <message numerus="yes">
        <source>Re-indexed %n changed file(s);</source>
        <translation>
            <numerusform>%n geänderte Datei neu indiziert;</numerusform>
            <numerusform>%n geänderte Dateien neu indiziert;</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>forgot %n deleted one(s).</source>
        <translation>
            <numerusform>%n gelöschte entfernt.</numerusform>
            <numerusform>%n gelöschte entfernt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Forgot %n file(s).</source>
        <translation>
            <numerusform>%n Datei entfernt.</numerusform>
            <numerusform>%n Dateien entfernt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Ask your question: the next answer comes from the file(s) you dropped.</source>
        <translation>Stellen Sie Ihre Frage: Die nächste Antwort stützt sich auf die abgelegten Dateien.</translation>
    </message>
    <message>
        <source>Nothing could be read from the file(s) dropped.</source>
        <translation>Aus den abgelegten Dateien ließ sich nichts lesen.</translation>
    </message>
</context>
<context>
    <name>LinkPolicy</name>
    <message>
        <source>Smallwise opens web pages and your Support documents only.</source>
        <translation>Smallwise öffnet nur Webseiten und Ihre Support-Dokumente.</translation>
    </message>
    <message>
        <source>Only documents in your knowledge base open from a link.</source>
        <translation>Über einen Link öffnen sich nur Dokumente aus Ihrer Wissensbasis.</translation>
    </message>
    <message>
        <source>It has no document extension, so it could be a program: open it yourself.</source>
        <translation>Die Datei hat keine Dokument-Endung und könnte ein Programm sein: Öffnen Sie sie selbst.</translation>
    </message>
    <message>
        <source>Not opened: {link}. {why}</source>
        <translation>Nicht geöffnet: {link}. {why}</translation>
    </message>
    <message>
        <source>Open in your browser?</source>
        <translation>Im Browser öffnen?</translation>
    </message>
    <message>
        <source>This link came from an answer or a document; it goes to {host}. Open it only if that is where you expected to go.</source>
        <translation>Dieser Link stammt aus einer Antwort oder einem Dokument; er führt zu {host}. Öffnen Sie ihn nur, wenn Sie genau dorthin wollten.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>No model yet</source>
        <translation>Noch kein Modell</translation>
    </message>
    <message>
        <source>The last answer&apos;s speed</source>
        <translation>Tempo der letzten Antwort</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Speed of the last answer</source>
        <translation>Tempo der letzten Antwort</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New conversation</source>
        <translation>&amp;Neue Unterhaltung</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren…</translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation>&amp;Importieren…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;Suchen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Conversation &amp;settings</source>
        <translation>&amp;Unterhaltungseinstellungen</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelle…</translation>
    </message>
    <message>
        <source>&amp;Getting started…</source>
        <translation>&amp;Erste Schritte…</translation>
    </message>
    <message>
        <source>&amp;Models</source>
        <translation>&amp;Modelle</translation>
    </message>
    <message>
        <source>&amp;Documents…</source>
        <translation>&amp;Dokumente…</translation>
    </message>
    <message>
        <source>&amp;Support</source>
        <translation>&amp;Support</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Chat</translation>
    </message>
    <message>
        <source>&amp;Copy the last answer</source>
        <translation>Letzte Antwort &amp;kopieren</translation>
    </message>
    <message>
        <source>&amp;Write a message</source>
        <translation>Nachricht &amp;schreiben</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>Denkt nach…</translation>
    </message>
    <message>
        <source>Wait for the current answer, or press Stop.</source>
        <translation>Warten Sie auf die aktuelle Antwort oder drücken Sie Stopp.</translation>
    </message>
    <message>
        <source>Reading {files}…</source>
        <translation>Lese {files}…</translation>
    </message>
    <message>
        <source>Edit message</source>
        <translation>Nachricht bearbeiten</translation>
    </message>
    <message>
        <source>Send it again as a new version. What followed it stays on the old branch (‹ › switch between them).</source>
        <translation>Als neue Version erneut senden. Was danach kam, bleibt im alten Zweig (‹ › wechselt zwischen ihnen).</translation>
    </message>
    <message>
        <source>That conversation is gone.</source>
        <translation>Diese Unterhaltung gibt es nicht mehr.</translation>
    </message>
    <message>
        <source>Exporting to {path}…</source>
        <translation>Exportiere nach {path}…</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n conversation(s).</source>
        <translation>
            <numerusform>%n Unterhaltung importiert.</numerusform>
            <numerusform>%n Unterhaltungen importiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Saved for this conversation: it applies from its next answer.</source>
        <translation>Für diese Unterhaltung gespeichert: Es gilt ab ihrer nächsten Antwort.</translation>
    </message>
    <message>
        <source>Answer finished.</source>
        <translation>Antwort fertig.</translation>
    </message>
    <message>
        <source>Answer stopped.</source>
        <translation>Antwort angehalten.</translation>
    </message>
    <message>
        <source>No answer.</source>
        <translation>Keine Antwort.</translation>
    </message>
    <message>
        <source>{speed} tokens/s · first token {ms} ms</source>
        <translation>{speed} Tokens/s · erstes Token {ms} ms</translation>
    </message>
    <message>
        <source>context {n}</source>
        <translation>Kontext {n}</translation>
    </message>
    <message numerus="yes">
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n Thread</numerusform>
            <numerusform>%n Threads</numerusform>
        </translation>
    </message>
    <message>
        <source>Settings saved; they apply from the next answer.</source>
        <translation>Einstellungen gespeichert; sie gelten ab der nächsten Antwort.</translation>
    </message>
    <message>
        <source>Copied the last answer to the clipboard.</source>
        <translation>Die letzte Antwort wurde in die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>No answer to copy yet.</source>
        <translation>Noch keine Antwort zum Kopieren.</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message numerus="yes">
        <source>{device}: %n layer(s) on GPU</source>
        <translation>
            <numerusform>{device}: %n Schicht auf der GPU</numerusform>
            <numerusform>{device}: %n Schichten auf der GPU</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>Instructions</source>
        <translation>Anweisungen</translation>
    </message>
    <message>
        <source>Stopped by you.</source>
        <translation>Von Ihnen angehalten.</translation>
    </message>
    <message>
        <source>Interrupted.</source>
        <translation>Unterbrochen.</translation>
    </message>
    <message>
        <source>No answer.</source>
        <translation>Keine Antwort.</translation>
    </message>
    <message>
        <source>Stopped before the answer began.</source>
        <translation>Angehalten, bevor die Antwort begann.</translation>
    </message>
    <message>
        <source>Your message</source>
        <translation>Ihre Nachricht</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy this message as text</source>
        <translation>Diese Nachricht als Text kopieren</translation>
    </message>
    <message>
        <source>Code copied.</source>
        <translation>Code kopiert.</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Change this message and send it again: a new branch starts here; the old one stays (‹ › switch between them)</source>
        <translation>Diese Nachricht ändern und erneut senden: Hier beginnt ein neuer Zweig; der alte bleibt (‹ › wechselt zwischen ihnen)</translation>
    </message>
    <message>
        <source>Show reasoning</source>
        <translation>Überlegungen zeigen</translation>
    </message>
    <message>
        <source>{who} {number} of {total}</source>
        <translation>{who} {number} von {total}</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>Denkt nach…</translation>
    </message>
    <message>
        <source>Thinking… {seconds} s</source>
        <translation>Denkt nach… {seconds} s</translation>
    </message>
    <message>
        <source>Hide reasoning</source>
        <translation>Überlegungen ausblenden</translation>
    </message>
    <message>
        <source>Sources of this answer</source>
        <translation>Quellen dieser Antwort</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Left out of the model&apos;s view: the conversation outgrew its context.</source>
        <translation>Für das Modell nicht mehr sichtbar: Die Unterhaltung ist über seinen Kontext hinausgewachsen.</translation>
    </message>
    <message>
        <source>context {n}</source>
        <translation>Kontext {n}</translation>
    </message>
    <message>
        <source>{speed} tokens/s</source>
        <translation>{speed} Tokens/s</translation>
    </message>
    <message>
        <source>first token {ms} ms</source>
        <translation>erstes Token {ms} ms</translation>
    </message>
    <message>
        <source>{prompt} + {completion} tokens</source>
        <translation>{prompt} + {completion} Tokens</translation>
    </message>
</context>
<context>
    <name>ModelManager</name>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>General chat</source>
        <translation>Allgemeiner Chat</translation>
    </message>
    <message>
        <source>Tutor</source>
        <translation>Tutor</translation>
    </message>
    <message>
        <source>Math</source>
        <translation>Mathematik</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>Support</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Embedding (Support searches by meaning)</source>
        <translation>Embedding (Support sucht nach Bedeutung)</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Here</source>
        <translation>Hier</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Quantization to download</source>
        <translation>Zu ladende Quantisierung</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Use for new answers</source>
        <translation>Für neue Antworten verwenden</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Import GGUF…</source>
        <translation>GGUF importieren…</translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation>Download-Fortschritt</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Download abbrechen</translation>
    </message>
    <message>
        <source>downloading {percent}%</source>
        <translation>lädt {percent} %</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>in Verwendung</translation>
    </message>
    <message>
        <source>installed {quant}</source>
        <translation>{quant} installiert</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>installiert</translation>
    </message>
    <message>
        <source>file missing</source>
        <translation>Datei fehlt</translation>
    </message>
    <message>
        <source>(non-commercial licence)</source>
        <translation>(nichtkommerzielle Lizenz)</translation>
    </message>
    <message>
        <source>runs on {server}</source>
        <translation>läuft auf {server}</translation>
    </message>
    <message>
        <source>Choose a model to see what it is good at.</source>
        <translation>Wählen Sie ein Modell, um zu sehen, wofür es taugt.</translation>
    </message>
    <message>
        <source>This quantization is installed.</source>
        <translation>Diese Quantisierung ist installiert.</translation>
    </message>
    <message>
        <source>Checking {model} on the hub…</source>
        <translation>{model} wird auf dem Hub geprüft…</translation>
    </message>
    <message>
        <source>{done} of {total} · {rate} MB/s</source>
        <translation>{done} von {total} · {rate} MB/s</translation>
    </message>
    <message>
        <source>{seconds} s left</source>
        <translation>noch {seconds} s</translation>
    </message>
    <message>
        <source>{model} is installed.</source>
        <translation>{model} ist installiert.</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>Modell löschen</translation>
    </message>
    <message>
        <source>Delete {model} and its file from this computer?</source>
        <translation>{model} und seine Datei von diesem Computer löschen?</translation>
    </message>
    <message>
        <source>Import a GGUF model</source>
        <translation>GGUF-Modell importieren</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF-Modelle (*.gguf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Importing {file}…</source>
        <translation>{file} wird importiert…</translation>
    </message>
</context>
<context>
    <name>ModelOffer</name>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Download {model} for {assistant}</source>
        <translation>{model} für {assistant} herunterladen</translation>
    </message>
    <message>
        <source>Download of {model}</source>
        <translation>Download von {model}</translation>
    </message>
</context>
<context>
    <name>ModelService</name>
    <message>
        <source>{assistant} works best with {model}.</source>
        <translation>{assistant} funktioniert am besten mit {model}.</translation>
    </message>
    <message>
        <source>Imported {model}.</source>
        <translation>{model} importiert.</translation>
    </message>
</context>
<context>
    <name>ModelText</name>
    <message>
        <source>weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>KV-Cache</translation>
    </message>
    <message>
        <source>compute</source>
        <translation>Berechnung</translation>
    </message>
    <message>
        <source>overhead</source>
        <translation>Zusatzbedarf</translation>
    </message>
    <message>
        <source>free</source>
        <translation>frei</translation>
    </message>
    <message>
        <source>about {n} GB</source>
        <translation>etwa {n} GB</translation>
    </message>
    <message>
        <source>about {n} MB</source>
        <translation>etwa {n} MB</translation>
    </message>
    <message>
        <source>under a minute at {speed} Mbit/s</source>
        <translation>unter einer Minute bei {speed} Mbit/s</translation>
    </message>
    <message>
        <source>≈ {minutes} min at {speed} Mbit/s</source>
        <translation>≈ {minutes} min bei {speed} Mbit/s</translation>
    </message>
    <message>
        <source>≈ {hours} h at {speed} Mbit/s</source>
        <translation>≈ {hours} h bei {speed} Mbit/s</translation>
    </message>
    <message>
        <source>This computer has little free memory right now: only the smallest models run. Closing other programs frees memory for larger ones.</source>
        <translation>Dieser Computer hat gerade wenig freien Speicher: Nur die kleinsten Modelle laufen. Wenn Sie andere Programme schließen, wird Speicher für größere frei.</translation>
    </message>
    <message>
        <source>This computer runs models up to about {cpu} on the CPU, and up to about {gpu} fully on its GPU ({name}).</source>
        <translation>Dieser Computer führt Modelle bis etwa {cpu} auf der CPU aus und bis etwa {gpu} vollständig auf seiner GPU ({name}).</translation>
    </message>
    <message>
        <source>This computer runs models up to about {cpu} on the CPU.</source>
        <translation>Dieser Computer führt Modelle bis etwa {cpu} auf der CPU aus.</translation>
    </message>
    <message>
        <source> It has a GPU ({name}), but this build of Smallwise runs on the CPU only.</source>
        <translation> Er hat eine GPU ({name}), aber diese Smallwise-Version läuft nur auf der CPU.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Here: {verdict}&lt;/b&gt; with {quant}, context {context} — {why}.</source>
        <translation>&lt;b&gt;Hier: {verdict}&lt;/b&gt; mit {quant}, Kontext {context} – {why}.</translation>
    </message>
    <message>
        <source>Licence: {licence}.</source>
        <translation>Lizenz: {licence}.</translation>
    </message>
    <message>
        <source>Not for commercial use.</source>
        <translation>Nicht für kommerzielle Nutzung.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Runs on {server}&lt;/b&gt; (Settings: models on another machine).</source>
        <translation>&lt;b&gt;Läuft auf {server}&lt;/b&gt; (Einstellungen: Modelle auf einem anderen Rechner).</translation>
    </message>
    <message>
        <source>Installed ({quant}): {path}</source>
        <translation>Installiert ({quant}): {path}</translation>
    </message>
    <message>
        <source>Installed: {path}</source>
        <translation>Installiert: {path}</translation>
    </message>
    <message>
        <source>(of {budget} GB GPU memory)</source>
        <translation>(von {budget} GB GPU-Speicher)</translation>
    </message>
    <message>
        <source>(of {budget} GB memory for models)</source>
        <translation>(von {budget} GB Speicher für Modelle)</translation>
    </message>
    <message>
        <source>{name} ({free} of {total} GB free)</source>
        <translation>{name} ({free} von {total} GB frei)</translation>
    </message>
    <message>
        <source>&lt;b&gt;This computer:&lt;/b&gt; {cpu}, {cores} cores ({isa}); {free} of {total} GB RAM free; {gpus}</source>
        <translation>&lt;b&gt;Dieser Computer:&lt;/b&gt; {cpu}, {cores} Kerne ({isa}); {free} von {total} GB RAM frei; {gpus}</translation>
    </message>
    <message>
        <source>basic</source>
        <translation>einfach</translation>
    </message>
    <message>
        <source>no GPU found</source>
        <translation>keine GPU gefunden</translation>
    </message>
</context>
<context>
    <name>Sampling</name>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>Wiederholungsstrafe</translation>
    </message>
    <message>
        <source>Longest answer (tokens)</source>
        <translation>Längste Antwort (Tokens)</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <source>Search all conversations</source>
        <translation>Alle Unterhaltungen durchsuchen</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>Suchergebnisse</translation>
    </message>
    <message>
        <source>Enter opens the conversation at the match</source>
        <translation>Eingabe öffnet die Unterhaltung an der Fundstelle</translation>
    </message>
    <message>
        <source>No conversation has these words.</source>
        <translation>Keine Unterhaltung enthält diese Wörter.</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Local API server</source>
        <translation>Lokaler API-Server</translation>
    </message>
    <message>
        <source>Models on another machine</source>
        <translation>Modelle auf einem anderen Rechner</translation>
    </message>
    <message>
        <source>Model (installed id or .gguf path; empty: starter)</source>
        <translation>Modell (installierte ID oder .gguf-Pfad; leer: Startmodell)</translation>
    </message>
    <message>
        <source>Your organisation&apos;s catalog file (JSON; optional)</source>
        <translation>Katalogdatei Ihrer Organisation (JSON; optional)</translation>
    </message>
    <message>
        <source>Context size in tokens (0: chosen for this computer)</source>
        <translation>Kontextgröße in Tokens (0: passend für diesen Computer)</translation>
    </message>
    <message>
        <source>CPU threads (0: choose automatically)</source>
        <translation>CPU-Threads (0: automatisch wählen)</translation>
    </message>
    <message>
        <source>Longest answer in tokens</source>
        <translation>Längste Antwort in Tokens</translation>
    </message>
    <message>
        <source>Temperature (0: always the likeliest word)</source>
        <translation>Temperatur (0: immer das wahrscheinlichste Wort)</translation>
    </message>
    <message>
        <source>Serve an OpenAI-compatible API</source>
        <translation>OpenAI-kompatible API anbieten</translation>
    </message>
    <message>
        <source>Address (not 127.0.0.1: key needed)</source>
        <translation>Adresse (nicht 127.0.0.1: Schlüssel nötig)</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>API key (clients send it as a Bearer token)</source>
        <translation>API-Schlüssel (Clients senden ihn als Bearer-Token)</translation>
    </message>
    <message>
        <source>Keep API conversations</source>
        <translation>API-Unterhaltungen behalten</translation>
    </message>
    <message>
        <source>Server address (empty: this computer)</source>
        <translation>Serveradresse (leer: dieser Computer)</translation>
    </message>
    <message>
        <source>Server API key (optional)</source>
        <translation>API-Schlüssel des Servers (optional)</translation>
    </message>
    <message>
        <source>Model on the server (empty: its first)</source>
        <translation>Modell auf dem Server (leer: sein erstes)</translation>
    </message>
    <message>
        <source>Colours</source>
        <translation>Farben</translation>
    </message>
    <message>
        <source>Language (applies at the next start)</source>
        <translation>Sprache (gilt ab dem nächsten Start)</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>New key</source>
        <translation>Neuer Schlüssel</translation>
    </message>
    <message>
        <source>Off.</source>
        <translation>Aus.</translation>
    </message>
    <message>
        <source>Other programs connect to {address} (with the key above).</source>
        <translation>Andere Programme verbinden sich mit {address} (mit dem Schlüssel oben).</translation>
    </message>
    <message>
        <source>Other programs connect to {address} (no key: this computer only).</source>
        <translation>Andere Programme verbinden sich mit {address} (ohne Schlüssel: nur dieser Computer).</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Give the server&apos;s address first, e.g. http://HOST:8000.</source>
        <translation>Geben Sie zuerst die Adresse des Servers an, z. B. http://HOST:8000.</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Wird getestet…</translation>
    </message>
</context>
<context>
    <name>Smallwise</name>
    <message numerus="yes">
        <source>%n answer(s) cut off when Smallwise last closed: the text written so far is kept and marked interrupted.</source>
        <translation>
            <numerusform>%n Antwort wurde beim letzten Beenden von Smallwise abgeschnitten: Der bisher geschriebene Text bleibt erhalten und ist als unterbrochen markiert.</numerusform>
            <numerusform>%n Antworten wurden beim letzten Beenden von Smallwise abgeschnitten: Der bisher geschriebene Text bleibt erhalten und ist als unterbrochen markiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>{app} cannot start</source>
        <translation>{app} kann nicht starten</translation>
    </message>
</context>
<context>
    <name>StoreThread</name>
    <message>
        <source>Saving or reading conversations failed: {error}</source>
        <translation>Speichern oder Lesen der Unterhaltungen fehlgeschlagen: {error}</translation>
    </message>
</context>
<context>
    <name>ThemeController</name>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Design</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
</context>
<context>
    <name>Verdicts</name>
    <message>
        <source>Full GPU</source>
        <translation>Ganz auf GPU</translation>
    </message>
    <message>
        <source>Partial GPU</source>
        <translation>Teils auf GPU</translation>
    </message>
    <message>
        <source>CPU only</source>
        <translation>Nur CPU</translation>
    </message>
    <message>
        <source>Won&apos;t fit</source>
        <translation>Passt nicht</translation>
    </message>
</context>
<context>
    <name>Versions</name>
    <message>
        <source>The previous version</source>
        <translation>Die vorige Version</translation>
    </message>
    <message>
        <source>The next version</source>
        <translation>Die nächste Version</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>Vorherige Version</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>Nächste Version</translation>
    </message>
    <message>
        <source>Version {number} of {total}</source>
        <translation>Version {number} von {total}</translation>
    </message>
</context>
</TS>
