<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ArchiveService</name>
    <message numerus="yes">
        <source>Exported %n conversation(s) to {path}.</source>
        <translation>
            <numerusform>Exported %n conversation to {path}.</numerusform>
            <numerusform>Exported %n conversations to {path}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message numerus="yes">
        <source>%n earlier message(s): scroll up to see them</source>
        <translation>
            <numerusform>%n earlier message: scroll up to see it</numerusform>
            <numerusform>%n earlier messages: scroll up to see them</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DocumentsDialog</name>
    <message numerus="yes">
        <source>%n passage(s)</source>
        <translation>
            <numerusform>%n passage</numerusform>
            <numerusform>%n passages</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… and %n more.</source>
        <translation>
            <numerusform>… and %n more.</numerusform>
            <numerusform>… and %n more.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>KnowledgeService</name>
    <message numerus="yes">
        <source>Indexed %n file(s)</source>
        <translation>
            <numerusform>Indexed %n file</numerusform>
            <numerusform>Indexed %n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Re-indexed %n changed file(s);</source>
        <translation>
            <numerusform>Re-indexed %n changed file;</numerusform>
            <numerusform>Re-indexed %n changed files;</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>forgot %n deleted one(s).</source>
        <translation>
            <numerusform>forgot %n deleted one.</numerusform>
            <numerusform>forgot %n deleted ones.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Forgot %n file(s).</source>
        <translation>
            <numerusform>Forgot %n file.</numerusform>
            <numerusform>Forgot %n files.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Imported %n conversation(s).</source>
        <translation>
            <numerusform>Imported %n conversation.</numerusform>
            <numerusform>Imported %n conversations.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n thread</numerusform>
            <numerusform>%n threads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{device}: %n layer(s) on GPU</source>
        <translation>
            <numerusform>{device}: %n layer on GPU</numerusform>
            <numerusform>{device}: %n layers on GPU</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Smallwise</name>
    <message numerus="yes">
        <source>%n answer(s) cut off when Smallwise last closed: the text written so far is kept and marked interrupted.</source>
        <translation>
            <numerusform>%n answer was cut off when Smallwise last closed: the text written so far is kept and marked interrupted.</numerusform>
            <numerusform>%n answers were cut off when Smallwise last closed: the text written so far is kept and marked interrupted.</numerusform>
        </translation>
    </message>
</context>
</TS>
