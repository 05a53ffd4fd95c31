"""Moving in from LimeSurvey (.lss survey files, .lsa survey archives) and out to it (.lss export).

Modules: `reader` (limits, safe XML, archives), `structure` (a survey of any LimeSurvey version
2.x-6.x as plain objects), `mapping` (the questionnaire it becomes, and the import report),
`expressions` (relevance equations <-> conditions, per EXPRESSIONS.md), `importing` (writes
the questionnaire), `export` (a questionnaire as a LimeSurvey 6 .lss), `views` (the builder's
upload, preview and import; the export download). Participants and responses of an archive
are written by `manyi.operations.limesurvey_archive` (it creates customers and campaigns,
which this app may not import).

How LimeSurvey question types become Manyi kinds (anything not carried over is counted, with
examples, under `unsupported` in the import report; nothing is dropped silently):

    LimeSurvey type                         Manyi kind    notes
    L  list (radio)                         single        rating when the answers carry assessment values
    !  list (dropdown)                      single        likewise
    O  list with comment                    single        the comment box is reported
    G  gender                               single        options F / M
    Y  yes / no                             yes_no        options Y / N
    5  five-point choice                    rating        options 1-5, points 1-5
    M  multiple choice                      multiple      subquestions -> options (their codes kept)
    P  multiple choice with comments        multiple      the comments are reported
    R  ranking                              multiple      the order is reported as not kept
    A  array (5 point)                      matrix        subquestions -> rows, options 1-5 with points
    B  array (10 point)                     matrix        options 1-10 with points
    C  array (yes / uncertain / no)         matrix        options Y / U / N
    E  array (increase / same / decrease)   matrix        options I / S / D
    F  array (flexible labels)              matrix        answers -> options, assessment values -> points
    H  array by column                      matrix        shown as rows (reported)
    1  array dual scale                     matrix        first scale; the second is reported
    :  array (numbers)                      table         columns (scale 1) as number columns, the fixed
    ;  array (texts)                        table         rows (scale 0) as the rows to fill (reported)
    K  multiple numerical input             table         one row, a number column per subquestion
    Q  multiple short text                  table         one row, a text column per subquestion
    N  numerical input                      nps           when its range is 0-10, else text (reported)
    S  short free text, T long, U huge      text
    D  date                                 text          reported
    |  file upload                          text          reported
    X  text display                         —             its text becomes the next question's explanation
    *  equation, I language switch          —             reported, not carried over
    any other type                          text          reported

Other parts of a survey:

    question groups      pages (title, description; group relevance -> the page's condition) when
                         the survey has more than one group or a group with a relevance or a
                         description; also dimensions when the survey uses assessments (groups
                         are then scoring sections); the questions keep the groups' order
    answer codes         Option.code; assessment values -> option points (the middle point of an
                         odd scale is the neutral answer)
    relevance            Question.condition (group relevance: Page.condition); subquestion
                         relevance of a multiple choice -> Option.condition; the common subset of
                         Expression Manager converted, the rest reported and the question shown
    languages            zh-Hans when present, else the base language; English kept besides
                         (Questionnaire.translations, shown on English answer pages); the
                         others reported
    welcome / end text   Questionnaire.intro / thanks (HTML reduced to plain text)
    participants (.lst)  customers matched by e-mail (customer or contact) or created, each with
                         an invitation in a closed campaign
    responses (.lsr)     completed responses (with a submit date) with their dates, scored by the
                         normal scoring; incomplete ones reported
    quotas, assessment rules, default answers, timings: reported, not carried over
"""
