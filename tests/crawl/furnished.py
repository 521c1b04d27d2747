"""A sample site whose column pages carry the furniture real sites put around a list.

Every list page of a watched column shows, besides its own rows, a 政府信息公开指南 link in the top
bar, a scrolling 停电停水 bar and a 通知公告 sidebar linking to the newest releases of two columns
nobody watches, and a footer link — all in the same detail form as the list's items, all pages the
site really serves. TRS pages carry the list as ul/li with a createPageHTML pager; Hanweb pages use
the older template: the first group of records in a JS ``InitData`` array and a jpage call whose
``ajaxParam`` is a nested object. The dataproxy answers a POST only when its form carries ``webid``,
``unitid`` and ``webname``, as jcms does.
"""

from __future__ import annotations

import html
import json
from datetime import date, timedelta

from crawler.demo.site import Column, Page, Response, SampleSite

WATCHED = (("1229037214", "政策文件"), ("1229037215", "通知公告"))
MARQUEE, SIDEBAR, ABOUT = "1229030001", "1229030002", "1229030003"


class FurnishedSite(SampleSite):
    def furniture(self, cid: str, n: int) -> list[Page]:
        return [p for p in self.columns[cid].pages if p.state == "live"][:n]

    def _links(self, pages: list[Page]) -> str:
        return "\n".join(
            f'<li><a href="{self.page_path(p)}" target="_blank">{html.escape(p.title)}</a></li>'
            for p in pages
        )

    def _top(self) -> str:
        guide = self.furniture(ABOUT, 1)[0]
        return (
            f'<div class="topbar"><a href="{self.page_path(guide)}">政府信息公开指南</a> | <a href="/ysqgk/">依申请公开</a></div>'
            '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul></div>'
            f'<div class="tzbar"><span>停电停水通知：</span><div id="scrollBox"><ul id="scroll1">'
            f"{self._links(self.furniture(MARQUEE, 12))}</ul></div>"
            "<script>var box=document.getElementById('scrollBox');setInterval(function(){box.scrollLeft++},30);</script></div>"
        )

    def _side(self) -> str:
        return (
            '<div class="left"><div class="lmtitle">政务公开</div><div class="sidebox"><h3>通知公告</h3><ul>'
            f"{self._links(self.furniture(SIDEBAR, 6))}</ul></div></div>"
        )

    def _foot(self) -> str:
        about = self.furniture(ABOUT, 2)[-1]
        return f'<div class="footer"><a href="{self.page_path(about)}">关于我们</a> | <a href="/wzdt/">网站地图</a></div>'

    # ------------------------------------------------------------------ TRS
    def _trs_list(self, col: Column, chunk: list[Page], n: int, total: int) -> str:
        if col.id not in dict(WATCHED):
            return super()._trs_list(col, chunk, n, total)
        rows = "\n".join(
            f'<li><a href="./{p.day:%Y%m}/t{p.day:%Y%m%d}_{p.id}.html" target="_blank" '
            f'title="{html.escape(p.title)}">{html.escape(p.title)}</a><span>{p.day.isoformat()}</span></li>'
            for p in chunk
        )
        return f"""<!DOCTYPE html><html><head><meta charset="{self._charset()}"><title>{col.name}_{self.site_name}</title></head>
<body>{self._top()}
<div class="main">{self._side()}
<div class="right"><div class="position">当前位置：<a href="/">首页</a> &gt; <a href="./">{col.name}</a></div>
<ul class="list">
{rows}
</ul>
<div class="page"><script>createPageHTML({total}, {n - 1}, "index", "html");</script></div>
</div></div>
{self._foot()}
</body></html>"""

    # ------------------------------------------------------------------ Hanweb (older InitData template)
    def _hanweb_column(self, col: Column, listed: list[Page]) -> str:
        if col.id not in dict(WATCHED):
            return super()._hanweb_column(col, listed)
        group = listed[: col.per_page * col.group_size]
        data = ",".join(json.dumps(self._record(p), ensure_ascii=False) for p in group)
        return f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={self._charset()}">
<title>{col.name} {self.site_name}</title></head>
<body>{self._top()}
<div class="main">{self._side()}
<div class="right"><div class="position">当前位置: <a href="/">首页</a> &gt; <a href="{self.column_url(col.id)}">{col.name}</a></div>
<div id="{col.unitid}"></div>
<script type="text/javascript">var InitData{col.unitid};InitData{col.unitid}=[{data}];$(function(){{$('#{col.unitid}').jpage({{themeName:'default',showMode:'full',totalRecord:{len(listed)},openCookies:false,dataBefore:'',dataStore:InitData{col.unitid},dataAfter:'',groupSize:{col.group_size},proxyUrl:'/module/jpage/dataproxy.jsp',perPage:{col.per_page},barPosition:'bottom',ajaxParam:{{col:1,appid:'1',webid:3084,path:'/',columnid:{col.id},unitid:'{col.unitid}',webname:'{self.site_name}',permissiontype:0}}}});}});</script>
</div></div>
{self._foot()}
</body></html>"""

    def _dataproxy(self, query: dict[str, str], fault: str | None) -> Response:
        if "page" not in query and not all(query.get(k) for k in ("webid", "unitid", "webname")):
            empty = '<?xml version="1.0" encoding="UTF-8"?>\n<datastore><recordset></recordset></datastore>\n'
            return Response(200, empty.encode(), {"Content-Type": "text/xml; charset=utf-8"})
        return super()._dataproxy(query, fault)


def furnished_site(profile: str, n: int = 24, per_page: int = 5) -> FurnishedSite:
    """``n`` releases over the two watched columns, and the unwatched columns the furniture shows."""
    site = FurnishedSite(profile=profile)
    for cid, name in WATCHED:
        site.add_column(cid, name, form="old", per_page=per_page)
    site.add_column(MARQUEE, "停电停水", per_page=50)
    site.add_column(SIDEBAR, "通知公告（全市）", per_page=50)
    site.add_column(ABOUT, "关于本网", per_page=50)
    start = date(2022, 9, 14)
    for i in range(n):
        site.add_page(WATCHED[i % 2][0], day=start - timedelta(days=i), top=False)
    for i in range(14):
        site.add_page(
            MARQUEE, day=start - timedelta(days=i), title=f"关于9月{20 - i}日城区计划停电的通知", top=False
        )
    for i in range(8):
        site.add_page(SIDEBAR, day=start - timedelta(days=2 * i), top=False)
    site.add_page(ABOUT, day=date(2021, 1, 5), title="云山市人民政府信息公开指南", top=False)
    site.add_page(ABOUT, day=date(2018, 1, 2), title="关于我们", top=False)
    return site


def watched_entry(base_url: str, site: FurnishedSite) -> dict:
    """The config's site entry: only the two list columns are watched."""
    from tests.helpers import FAST

    return {
        "name": "furnished",
        "base_url": base_url,
        "profile": site.profile,
        "columns": [
            {"name": name, "url": base_url + site.column_url(cid), "kind": "other"} for cid, name in WATCHED
        ],
        "politeness": dict(FAST),
        "revisit": "always",
    }
