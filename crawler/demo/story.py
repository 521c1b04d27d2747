"""The demo's two sites and what happens to them over four days, so one ``govwatch demo`` leaves an
archive holding every kind of event a user will meet.

- **衢州市人民政府** (Hanweb 大汉: datastore records, both ``dataproxy.jsp`` pager forms): 发布实录
  with the defaced Quzhou reference page among its releases, and 通知公告.
- **柯城区人民政府** (TRS: ``index_N.html`` pages and ``createPageHTML``): 通知公告 and 政策文件.

Day 1 is the first crawl (the baseline, and the defaced page's ``tampered``). Day 2: Hanweb publishes
a release (``new``) and silently edits another (``changed``); TRS withdraws two releases (one answers
404, one a 200 "信息已删除" page) and one of its pages starts failing with HTTP 500. Day 3: both
withdrawn releases are gone a second time (``removed``). Day 4: one of them is back (``restored``)
and the failing page has failed three runs in a row (``fetch_failed``).

Pure: builds and changes :class:`SampleSite` s; serving and crawling are the command's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources

from crawler.demo.site import Page, SampleSite

REFERENCE_PATH = "/art/2022/9/14/art_1229037214_59011309.html"
REFERENCE_INDEX_NO = "11330800002618015K/2022-134528"
REFERENCE_TITLE = "“‘浙’十年·衢州”主题新闻发布会答问实录"
#: the 索引号 of the release silently edited on day 2 (fixed, so the README can name it)
EDITED_INDEX_NO = "11330800002618015K/2024-000418"
DAYS = 4
#: runs in a row a page must fail before ``fetch_failed`` (the default of ``fail_after``)
FAIL_AFTER = 3

HANWEB_COLUMNS = (("1229037214", "发布实录", "new", "news"), ("1229037215", "通知公告", "old", "notice"))
TRS_COLUMNS = (("tzgg", "通知公告", "notice"), ("zcwj", "政策文件", "policy"))

EDITED_TEXT = "截至十月底，全市累计发放“碳账户”绿色贷款428亿元，惠及企业1.2万家。"
EDIT_FROM, EDIT_TO = "428亿元", "482亿元"


def reference_page() -> bytes:
    """The defaced Quzhou release page (2022-09-14), as it was served."""
    return (
        resources.files("crawler.demo").joinpath("data/quzhou-fabushilu-2022-09-14.defaced.html").read_bytes()
    )


@dataclass
class Story:
    """The two sites and the releases the days act on."""

    hanweb: SampleSite
    trs: SampleSite
    first_day: date
    edited: Page  # silently edited on day 2
    removed: Page  # withdrawn (404) on day 2, never back
    restored: Page  # withdrawn ("信息已删除") on day 2, back on day 4
    failing: Page  # HTTP 500 from day 2 on
    published: list[Page] = field(default_factory=list)  # new on day 2
    day: int = 0  # the last day applied

    def sites(self) -> dict[str, SampleSite]:
        return {"hanweb": self.hanweb, "trs": self.trs}

    def advance(self) -> list[str]:
        """Apply the next day's changes; returns what changed, one phrase each (nothing on day 1)."""
        self.day += 1
        today = self.first_day + timedelta(days=self.day - 1)
        done: list[str] = []
        if self.day == 2:
            page = self.hanweb.add_page(
                HANWEB_COLUMNS[0][0], day=today, title="衢州市“四省边际共富”新闻发布会答问实录"
            )
            self.published.append(page)
            done.append(f"衢州 published {page.title}")
            self.hanweb.edit(self.edited.id, EDIT_FROM, EDIT_TO)
            done.append(f"衢州 silently edited {self.edited.title} ({EDIT_FROM} → {EDIT_TO})")
            self.trs.withdraw(self.removed.id, how="gone")
            done.append(f"柯城 withdrew {self.removed.title} (404)")
            self.trs.withdraw(self.restored.id, how="gone_page")
            done.append(f"柯城 withdrew {self.restored.title} (a 信息已删除 page)")
            self.trs.fault(self.trs.page_path(self.failing), sticky="500")
            done.append(f"柯城's page {self.failing.title} started failing (HTTP 500)")
        elif self.day == 3:
            done.append("nothing changed on the sites: the two withdrawn releases are gone a second time")
        elif self.day == 4:
            self.trs.restore(self.restored.id)
            done.append(f"柯城 put {self.restored.title} back")
            done.append(f"柯城's page {self.failing.title} still fails: {FAIL_AFTER} runs in a row")
        return done

    def finish(self) -> None:
        """Every day applied: the sites as they stand at the end of the story."""
        while self.day < DAYS:
            self.advance()


def add_reference_page(site: SampleSite, column: str = HANWEB_COLUMNS[0][0], *, top: bool = True) -> Page:
    """Add the defaced reference page (its 索引号, title and date, served at its own path) to
    ``column`` of ``site``."""
    return site.add_page(
        column,
        day=date(2022, 9, 14),
        title=REFERENCE_TITLE,
        index_no=REFERENCE_INDEX_NO,
        raw=reference_page(),
        raw_path=REFERENCE_PATH,
        top=top,
    )


def hanweb_site(today: date) -> SampleSite:
    """衢州 (Hanweb): 发布实录 (newer GET pager, 10 a page) with the defaced reference page among
    its 25 releases, and 通知公告 (older POST pager, 5 a page, 12 releases)."""
    site = SampleSite(noise=True)
    (news, news_name, news_form, _), (notice, notice_name, notice_form, _) = HANWEB_COLUMNS
    site.add_column(news, news_name, form=news_form, per_page=10)
    site.add_column(notice, notice_name, form=notice_form, per_page=5)
    for i in range(24):
        site.add_page(news, day=today - timedelta(days=1 + i * 4), top=False)
    add_reference_page(site, news, top=False)
    site.columns[news].pages.sort(key=lambda p: p.day, reverse=True)
    for i in range(12):
        site.add_page(
            notice,
            day=today - timedelta(days=2 + i * 6),
            top=False,
            attachments=[("附件1.pdf", f"/module/download/downfile.jsp?classid=0&filename={i}.pdf")]
            if i % 4 == 0
            else None,
        )
    return site


def trs_site(today: date) -> SampleSite:
    """柯城 (TRS): 通知公告 (8 a page, 14 releases) and 政策文件 (8 a page, 10 releases)."""
    site = SampleSite(
        profile="trs",
        site_name="衢州市柯城区人民政府",
        host_label="www.kecheng.gov.cn",
        first_id=61020001,
        org_code="113308020025863210",
    )
    for cid, name, _kind in TRS_COLUMNS:
        site.add_column(cid, name, per_page=8)
    for i in range(14):
        site.add_page("tzgg", day=today - timedelta(days=1 + i * 5), top=False)
    for i in range(10):
        site.add_page("zcwj", day=today - timedelta(days=3 + i * 11), top=False)
    return site


def story(first_day: date) -> Story:
    """The sites as they stand on day 1 (``first_day``), before the first crawl."""
    hanweb = hanweb_site(first_day)
    trs = trs_site(first_day)
    edited = hanweb.columns[HANWEB_COLUMNS[0][0]].pages[1]
    edited.title = "衢州市碳账户金融改革新闻发布会答问实录"
    edited.index_no = EDITED_INDEX_NO
    edited.paragraphs = [edited.paragraphs[0], EDITED_TEXT, *edited.paragraphs[1:]]
    notices = trs.columns["tzgg"].pages
    removed, restored = notices[4], notices[2]
    removed.title = "柯城区关于公布第一批区级行政审批中介服务事项的通知"
    restored.title = "柯城区人民政府办公室关于做好今冬明春森林防火工作的通知"
    failing = trs.columns["zcwj"].pages[1]
    failing.title = "柯城区优化营商环境提升行动方案"
    return Story(
        hanweb=hanweb,
        trs=trs,
        first_day=first_day,
        edited=edited,
        removed=removed,
        restored=restored,
        failing=failing,
    )
