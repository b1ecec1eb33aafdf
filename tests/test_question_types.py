"""The question types (qa.QUESTION_TYPES): which type reads which kind of question, and what each does with what
its queries find, in both languages. One entry per type: adding a type means adding its examples here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fzqa.lexicon import load_lexicon
from fzqa.qa import QUESTION_TYPES, Assistant, get_assistant, understand


@pytest.fixture(scope="module")
def assistant(built: None) -> Iterator[Assistant]:
    yield get_assistant()


# questions each type must read (written from the kinds of question officials ask, not from the eval set)
EXAMPLES = {
    "provision": [
        "广西办法第六条第（三）项讲的是什么？",
        "What does article 8 of the Guizhou measure say?",
        "贵州6条3项讲什么",
    ],
    "off_topic": ["给我讲个笑话吧", "What's the weather like in Guiyang tomorrow?", "Write me a poem about autumn."],
    "structure": [
        "广西的办法总共多少条？",
        "How many articles does each measure have?",
        "广西那个实施办法合计几条？",  # the measure's generic name is no topic
        "两部办法的篇幅一样长吗？",
        "贵州的办法拢共多少条？",
    ],
    "item_count": [
        "县长的法治职责一共有几项？",
        "How many kinds of misconduct does Guizhou hold leaders accountable for?",
        "How many distinct duties does a county mayor have?",
        "How many duties do heads of government have?",  # a plural on an inner word of the post's name
    ],
    "metadata": [
        "广西办法是哪些单位印发的？",
        "Who issued the Guangxi measure?",
        "贵州这个办法是哪一年出台的？",
        "Which office put out the Guizhou measure?",
        "When was the Guangxi measure released?",
        "When did the Guizhou measure come out?",
        "贵州办法是下发给哪些单位的？",
    ],
    "meta_rule": [
        "贵州办法从哪天开始施行？",
        "Who interprets the Guangxi measure?",
        "广西办法是发下来当天就生效吗？",
        "Why did Guangxi write this measure?",
        "Which body has the final say if officials disagree about what the Guangxi measure means?",
        "对贵州办法的条文理解有分歧时，由谁来定？",
        "When did the Guangxi measure come into effect?",
        "Which document are these measures meant to carry out?",
        "这个办法有的地方吃不准，该问哪个部门？",
        "Who can clarify what the Guizhou measure means?",
        "贵州办法从哪天起管用？",
        "Why was the Guangxi measure drafted?",
    ],
    "coverage": [
        "副县长适用这个办法吗？",
        "Does the measure apply to a township head?",
        "街道办主任算不算第一责任人？",
        "Is a deputy mayor bound by these measures?",
        "Does a bureau chief fall under the Guizhou measure?",
        "社区居委会主任要不要执行这两个办法？",  # an urban community, like a village, is below the township level
        "Is the Guizhou measure aimed at township officials too?",
        "I head a government bureau in a county. Am I covered?",
        "Do the measures also cover sub-district heads?",
        "乡长算不算？",  # the role and 算不算 alone: whether the measures count the post
        "这个办法连省长都管吗？",
        "Do these rules reach a village head, or do they stop at the township?",
        "Which article brings sub-district officials in?",
        "市司法局局长算不算在这个办法里面？",  # 算(不算)在…里面: counted in the measure
        "县里的局长要不要照这个办法来？",
        "Do these measures bind a provincial vice governor?",
    ],
    "compare": [
        "两部办法在法律顾问方面有什么不同？",
        "How do the two measures differ on legal advisers?",
        "出庭应诉这块，两个办法写得不一样吗？",
        "在学法制度上，哪个办法规定得更细？",
    ],
    "compare_kind": ["两部办法规定的问责情形一样吗？", "Do the two measures forbid the same things?"],
    "compare_roles": [
        "县委书记和县长的法治职责有什么区别？",
        "How do a city Party secretary's duties differ from a mayor's?",
    ],
    "sanctions": [
        "不履行推进法治建设职责会被怎么问责？",
        "What happens to leaders who fail these duties?",
        "What if a mayor ignores the legal advisers?",
    ],
    "cited": ["两部办法依据了哪些党内法规？", "Which laws do the measures cite?", "两部办法拿什么做依据？"],
    "annual_duties": ["市委书记每年都要做哪些事？", "What must a provincial governor do every year?"],
    "role_frequency": ["省长每半年要做什么？", "How many times must a county Party secretary hear reports?"],
    "role_norms": ["县委书记不得做什么？", "What are the duties of a city mayor?"],
    "frequency": ["每年必须完成哪些法治工作？", "What must be done every year?"],
    "norms_by_kind": ["哪些做法是禁止的？", "What is prohibited?"],
    "search": [
        "法治宣传教育由谁负责？",
        "Who is responsible for legal education of the public?",
        "Which provisions cover the disclosure of government information?",  # cover: what they treat, not whom
        "How does a citizen apply for a business licence?",  # apply for: a procedure, not whom a measure binds
        "What rules must a government follow when it collects personal data?",  # rules to follow: not what is cited
        "法院的判决都生效了，政府怎么落实？",  # a judgment's taking effect: not the measure's
    ],
}


def test_every_type_has_examples_and_answer_wording() -> None:
    codes = [qt.code for qt in QUESTION_TYPES]
    assert set(EXAMPLES) == set(codes) and len(codes) == len(set(codes))
    assert QUESTION_TYPES[-1].code == "search" and QUESTION_TYPES[-1].applies(understand("随便问问"))
    wording = load_lexicon().answer_wording
    for part in ("(role)", "(any)"):
        assert set(wording[part]["headline"]) == {"zh", "en"}
    for code, w in wording.items():
        for texts in w.values():
            assert set(texts) == {"zh", "en"}, code  # every wording in both languages


@pytest.mark.parametrize(("code", "question"), [(c, q) for c, qs in EXAMPLES.items() for q in qs])
def test_each_kind_of_question_is_read_as_its_type(assistant: Assistant, code: str, question: str) -> None:
    intent = understand(question, assistant.lex)
    assert assistant.question_type(intent).code == code


@pytest.mark.parametrize(
    "question",
    [
        "What does Article 6, item (2) of the Guizhou measure provide?",
        "Guizhou art. 6, item 2?",
        "贵州办法第六条第二项",
    ],
)
def test_an_item_named_by_number_is_cited_alone(assistant: Assistant, question: str) -> None:
    a = assistant.ask(question)
    assert a.details["plan"] == "provision" and [c.key() for c in a.citations] == [("guizhou-2020", 6, 2)], a.answer


def test_a_numbered_provision_that_does_not_exist_is_said_so(assistant: Assistant) -> None:
    for q in ("广西办法第十九条是什么？", "What does article 40 of the Guizhou measure say?"):
        a = assistant.ask(q)
        assert a.abstained and not a.citations and a.details["plan"] == "provision"


def test_coverage_is_answered_even_for_a_role_the_measures_do_not_name(assistant: Assistant) -> None:
    a = assistant.ask("村民小组长适用这个办法吗？")
    assert not a.abstained and a.details["plan"].startswith("coverage")


def test_a_role_type_with_nothing_at_the_period_asked_abstains(assistant: Assistant) -> None:
    a = assistant.ask("县长每个月必须做什么？")
    assert a.abstained and not a.citations


@pytest.mark.parametrize(
    "question", ["每季度要做什么？", "Is there a quarterly reporting requirement in either measure?"]
)
def test_a_frequency_no_norm_has_is_said_so(assistant: Assistant, question: str) -> None:
    # no provision of either measure sets anything quarterly: said so, not answered with the yearly reports
    a = assistant.ask(question)
    assert a.abstained and not a.citations and a.details["plan"] == "none"


def test_a_sanction_word_inside_another_topic_is_that_topics_word(assistant: Assistant) -> None:
    # 终身责任追究 (lifelong accountability) is a duty on major decisions (广西 6(2)), not the sanctions of art. 9;
    # a sanction word inside an accountability topic's label (被问责) still asks for sanctions
    for q in (
        "Where does lifelong accountability for major decisions come up in the Guangxi measure?",
        "重大决策终身责任追究是怎么规定的？",
    ):
        a = assistant.ask(q)
        assert a.details["plan"] != "sanctions" and ("guangxi-2018", 6, 2) in {c.key() for c in a.citations}, q
    assert assistant.ask("书记帮着捂盖子，会不会被问责？").details["plan"] == "sanctions"


def test_a_role_type_that_finds_nothing_on_the_topic_turns_to_clause_search(assistant: Assistant) -> None:
    # a role and a topic its own norms do not carry: clause search answers (its own plan), or the answer abstains
    a = assistant.ask("县长在行政复议方面要做什么？")
    assert a.details["plan"] in ("role_norms", "search")
    assert not a.abstained and any(c.article for c in a.citations)


@pytest.mark.parametrize(
    "question", ["法律顾问方面，两部办法有什么不同？", "What do the two measures each say about legal advisers?"]
)
def test_a_comparison_cites_each_measure_that_covers_the_topic(assistant: Assistant, question: str) -> None:
    a = assistant.ask(question)
    assert {c.measure for c in a.citations} == set(assistant.measure_ids)


def test_headlines_come_from_the_wording_data(assistant: Assistant) -> None:
    wording = assistant.lex.answer_wording
    a = assistant.ask("县长每年必须做什么？")
    head = wording["(role)"]["headline"]["zh"].split("{")[0]  # the template's text before its first placeholder
    what = wording["annual_duties"]["duties"]["zh"]
    assert a.answer.splitlines()[0].startswith("县长" + head) and what in a.answer.splitlines()[0]
    b = assistant.ask("What must a county mayor do each year?")
    assert wording["annual_duties"]["duties"]["en"] in b.answer.splitlines()[0]


@pytest.mark.parametrize("question", ["党委主要负责人的主要职责有几项？", "How many duties does a mayor have?"])
def test_a_count_of_listed_items_cites_each_itemised_list_with_its_number(assistant: Assistant, question: str) -> None:
    from fzqa.corpus import cn_numeral

    a = assistant.ask(question)
    assert a.details["plan"] == "item_count" and a.citations and not a.abstained
    for c in a.citations:
        n = sum(1 for k in assistant.provisions if k[:2] == (c.measure, c.article) and k[2] is not None)
        assert c.item is None and n > 0
        assert f"{n} items" in a.summary or f"列有{cn_numeral(n)}项" in a.summary


@pytest.mark.parametrize(
    ("question", "role"),
    [("市政府每年要办几次法治讲座？", "政府主要负责人"), ("州委每年要办几次法治讲座？", "党委主要负责人")],
)
def test_an_organ_named_without_a_post_keeps_the_rows_its_principal_bears(
    assistant: Assistant, question: str, role: str
) -> None:
    a = assistant.ask(question)
    assert a.citations and not a.abstained
    borne = {
        (str(r["measure"]).rsplit("/", 1)[-1], r.get("article"), r.get("item"))
        for r in assistant.kg.select("role_norms", role=assistant.lex.roles[role].iri)
    }
    assert {(c.measure, c.article, c.item) for c in a.citations} <= borne


def test_metadata_is_labelled_in_the_language_asked(assistant: Assistant) -> None:
    en = assistant.ask("Who issued the Guizhou measure?")
    zh = assistant.ask("贵州办法是哪个部门印发的？")
    assert "issued by: " in en.answer and "印发机关" not in en.answer
    assert "印发机关：" in zh.answer


# figures the measures never state (written from what they leave open: terms, money, time limits, shares, lengths)
@pytest.mark.parametrize(
    "question",
    [
        "法律顾问的合同一签几年？",
        "公职律师参与决策一次补贴多少钱？",
        "被约谈的部门负责人要在多少个工作日内整改完？",
        "法治考核结果在年度考核里占多大比重？",
        "How long is the term of a county Party secretary?",
        "How long is a government legal adviser's contract supposed to run?",  # a possessive inside, not a length
        "How much is a legal adviser paid?",
        "What is the deadline for the annual rule-of-law report?",
        "How many hours must a rule-of-law lecture last?",
        "法治建设领导小组要配几名专职人员？",  # a number of people
        "当法律顾问需要具备哪些资格？",  # conditions or qualifications
        "How many staff must a rule-of-law office employ?",
        "How long must case files of law-enforcement checks be kept?",  # a hyphenated phrase inside the pattern
        "被通报批评的一把手要隔多久才能评优？",  # an interval
        "每个县一年要办结多少件行政复议案件？",  # a quota
        "How many days off does a county mayor get for training?",
        "年终述职报告最迟几月几号交？",  # a date
        "述职报告什么时候报送上级？",
        "败诉率超过多少要被约谈？",  # a rate
        "Is there a fixed number of complaints that triggers an accountability review?",
    ],
)
def test_a_figure_no_provision_states_is_not_answered_with_provisions_on_the_subject(
    assistant: Assistant, question: str
) -> None:
    intent = understand(question, assistant.lex)
    assert intent.details  # read as asking for a figure
    a = assistant.ask(question)
    assert a.abstained and not a.citations, (question, a.answer)
    if a.details["plan"] == "no-detail":  # the measures treat the subject: it says which figure they do not set
        label_zh, label_en = assistant.lex.detail_labels[intent.details[0]]
        assert (label_en if intent.lang == "en" else label_zh) in a.answer
        assert ".;" not in a.answer and "。，" not in a.answer  # whole sentences, with or without nearby provisions


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("法治专题讲座每年至少要办几场？", {("guizhou-2020", 5, 6), ("guizhou-2020", 6, 6)}),  # 每年至少举办2次
        ("How many times a year must the Party principal hear rule-of-law reports?", {("guizhou-2020", 5, 1)}),
    ],
)
def test_a_figure_a_provision_states_is_answered(assistant: Assistant, question: str, expected: set[object]) -> None:
    a = assistant.ask(question)
    assert not a.abstained and expected <= {c.key() for c in a.citations}, a.answer


def test_which_bodies_is_not_a_number_asked_for(assistant: Assistant) -> None:
    # 向哪几家报告 asks which bodies (named in 贵州 6(1)), not how many: no figure is required of the answer
    intent = understand("贵州省长每年要把法治政府建设情况向哪几家报告？", assistant.lex)
    assert not intent.details
    assert ("guizhou-2020", 6, 1) in {c.key() for c in assistant.ask(intent.question).citations}


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("How often must the Party committee's top person hear reports?", "党委主要负责人"),
        ("What must the government's top official do every year?", "政府主要负责人"),
    ],
)
def test_an_organs_top_person_is_its_principal(assistant: Assistant, question: str, role: str) -> None:
    assert understand(question, assistant.lex).roles[:1] == (role,)


def test_the_guiding_ideology_is_the_principles_article_of_both(assistant: Assistant) -> None:
    a = assistant.ask("两个办法在指导思想上的提法有什么不一样？")
    assert {("guangxi-2018", 3, None), ("guizhou-2020", 3, None)} <= {c.key() for c in a.citations}


def test_words_of_the_measures_own_title_are_no_topic(assistant: Assistant) -> None:
    # 推进法治 and 第一责任人 are what every provision is about: asked with a post, they narrow nothing, and the
    # answer lists the post's duties as for a question without them (colloquial filler words go the same way)
    plain = assistant.ask("市长要做什么？")
    for question in ("市长推进法治建设要做什么？", "我刚上任市长，是第一责任人，上面具体要我抓哪些活儿？"):
        intent = understand(question, assistant.lex)
        assert not intent.topic, (question, intent.topic)
        assert {c.key() for c in assistant.ask(question).citations} == {c.key() for c in plain.citations}


def test_the_words_around_a_figure_asked_for_stay_topic_words(assistant: Assistant) -> None:
    intent = understand("公职律师每个月的补贴是多少？", assistant.lex)
    assert intent.details == ("money",) and any("补贴" in t for t in intent.topic)


def test_issuers_are_named_in_the_order_of_the_text(assistant: Assistant) -> None:
    a = assistant.ask("广西办法是哪个部门印发的？")
    # the store concatenates a measure's issuers in an order of its own; the answer keeps the catalogue's
    assert "印发机关：中共广西壮族自治区委员会办公厅、广西壮族自治区人民政府办公厅" in a.answer


def test_a_chinese_title_in_an_english_question_does_not_make_it_chinese(assistant: Assistant) -> None:
    title = "《贵州省贯彻落实〈党政主要负责人履行推进法治建设第一责任人职责规定〉实施办法》"
    a = assistant.ask(f"When does the {title} take effect?")
    assert a.lang == "en" and ("guizhou-2020", 12, None) in {c.key() for c in a.citations}
    assert "in force from" in a.answer  # the measure's record, labelled in English


def test_a_field_the_measures_record_lacks_is_said_so(assistant: Assistant) -> None:
    # the Guizhou text carries no document number (its record has none): said so, nothing cited
    for q, said in (
        ("贵州办法的发文字号是多少？", "贵州办法的文本没有载明发文字号"),
        ("What is the document number of the Guizhou measure?", "does not state a document number"),
    ):
        a = assistant.ask(q)
        assert a.abstained and not a.citations and said in a.answer, a.answer
    # both asked: the one that has it is cited with it, the other is said to have none
    both = assistant.ask("两部办法的文号分别是什么？")
    assert [c.key() for c in both.citations] == [("guangxi-2018", None, None)] and "桂办发" in both.answer
    assert "贵州办法的文本没有载明发文字号" in both.answer
    # asked with another fact of the record (who issued it), the record is given and the missing number said
    issuer = assistant.ask("贵州这个办法是哪个单位发出来的？有文号没有？")
    assert [c.key() for c in issuer.citations] == [("guizhou-2020", None, None)] and "省委办公厅" in issuer.answer
    assert "没有载明发文字号" in issuer.answer


@pytest.mark.parametrize(
    "question",
    [
        "两部办法禁止的行为一样吗？",
        "Do the two measures forbid the same things?",
        "Do the two measures' principles differ?",  # a possessive is the word itself
    ],
)
def test_a_comparison_of_a_kind_without_topic_gives_each_measures_norms_of_that_kind(
    assistant: Assistant, question: str
) -> None:
    a = assistant.ask(question)
    assert {c.measure for c in a.citations} == {"guangxi-2018", "guizhou-2020"}, a.answer  # neither said silent
    # the norms of that kind, asked without comparing
    listed = assistant.ask("办法规定了哪些原则？" if "principles" in question else "办法禁止哪些行为？")
    assert listed.details["plan"] == "norms_by_kind"
    assert {c.key() for c in a.citations} == {c.key() for c in listed.citations}, a.answer


@pytest.mark.parametrize(
    "question", ["党政主要负责人被问责，依照的是哪部党内法规？", "Which laws do the measures cite?"]
)
def test_an_instrument_relied_on_is_cited_at_the_lead_in_that_names_it(assistant: Assistant, question: str) -> None:
    a = assistant.ask(question)
    keys = {c.key() for c in a.citations}
    assert {("guangxi-2018", 9, None), ("guizhou-2020", 9, None)} <= keys, a.answer
    assert not any(k[1] == 9 and k[2] is not None for k in keys), a.answer  # not the conditions its items list
    # asked with the failing its items list ("… who fail these duties"), the items are the answer too
    failing = assistant.ask("Which regulation governs accountability for leaders who fail these duties?")
    assert ("guizhou-2020", 9, 3) in {c.key() for c in failing.citations}, failing.answer


@pytest.mark.parametrize(
    "question",
    ["贵州办法什么时候印发的，什么时候开始施行？", "When did the Guizhou measure come out, and when did it kick in?"],
)
def test_the_date_of_issue_asked_with_the_entry_into_force_gives_the_record_and_the_rule(
    assistant: Assistant, question: str
) -> None:
    a = assistant.ask(question)
    assert {c.key() for c in a.citations} == {("guizhou-2020", None, None), ("guizhou-2020", 12, None)}, a.answer
    assert "2020-09-09" in a.answer
