"""A local government site to crawl: the bundled demo, and the site that tests and benchmarks change
between crawls (add, edit, withdraw releases; inject faults).

It renders pages the way the CMSs govwatch reads do: Hanweb (大汉) columns with records as CDATA in
``<datastore>`` and both ``dataproxy.jsp`` forms, TRS (``index_N.html`` + ``createPageHTML``) and a
home-grown template for the ``generic`` profile — in UTF-8 or GBK, with the noise real pages carry
(a visit counter, today's date, a nonce, a rotating related-articles list).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit

from crawler.demo import corpus


@dataclass
class Page:
    """One release on the sample site."""

    id: int
    column: str
    day: date
    title: str
    index_no: str | None
    publisher: str = "市政府办公室"
    paragraphs: list[str] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    raw: bytes | None = None  # served verbatim (e.g. the reference page)
    raw_path: str | None = None
    state: str = "live"  # live | gone (404) | gone_page (200 "信息已删除") | listed_only
    extra_html: str = ""  # injected outside the body (tamper tests)
    version: int = 1


@dataclass
class Column:
    id: str
    name: str
    form: str = "new"  # hanweb dataproxy form: new (GET ?page=N) | old (POST startrecord/endrecord)
    per_page: int = 15
    group_size: int = 3
    pages: list[Page] = field(default_factory=list)  # newest first
    unitid: str = ""
    pages_withdrawn: list[Page] = field(default_factory=list)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: bytes streamed after ``body`` by the server, never held in memory (a huge attachment)
    stream: int = 0
    #: the streamed answer announces no Content-Length (it ends when the connection closes)
    unsized: bool = False


WAF_PAGE = (
    "<html><head><title>访问验证</title></head><body><div class='waf'>"
    "<h2>访问过于频繁，请稍后再试</h2><p>您的访问已被云防护拦截，请输入验证码后继续访问。</p>"
    "<form><input name='captcha'></form></div></body></html>"
)
GONE_PAGE = (
    "<html><head><title>信息已删除</title></head><body><div class='error'>"
    "<p>对不起，您访问的页面不存在或信息已删除！</p><a href='/'>返回首页</a></div></body></html>"
)
ERROR_PAGE = "<html><head><title>500 系统错误</title></head><body><h1>服务器内部错误</h1></body></html>"
LOGIN_PAGE = (
    "<html><head><title>用户登录</title></head><body><form action='/login' method='post'>"
    "用户名：<input name='user'> 密码：<input type='password' name='pwd'><button>登录</button></form></body></html>"
)
MAINTENANCE_PAGE = (
    "<html><head><title>系统维护</title></head><body><div class='notice'>"
    "<h2>系统维护中</h2><p>网站正在进行系统升级维护，服务暂不可用，请稍后访问。</p></div></body></html>"
)
#: what 加速乐/创宇盾-style JavaScript cookie walls answer (status 412 or 521): a script, no content
JS_COOKIE_WALL = (
    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'></head><body>"
    "<script>document.cookie='__jsl_clearance=1700000000.123|0|abcdef;max-age=3600;path=/';"
    "location.href=location.pathname+location.search</script></body></html>"
)
#: faults that rewrite a normal 200 page rather than replace it (see ``_mangle``)
MANGLE_FAULTS = ("gbk_as_utf8", "unlabelled_gbk", "nested", "nested_deep", "malformed")
#: how many ``<div>`` levels the ``nested`` fault wraps a page's body in (deep, still parseable)
NEST_DEPTH = 1500
#: ``nested_deep``: deeper than the normalizer reads (about 2,000 levels): an empty page
DEEP_NEST_DEPTH = 5000


class SampleSite:
    """A mutable government site. Thread-safe: the server thread reads while a test mutates."""

    def __init__(
        self,
        *,
        profile: str = "hanweb",
        encoding: str = "utf-8",
        noise: bool = True,
        validators: bool = True,
        site_name: str = "衢州市人民政府",
        host_label: str = "www.qz.gov.cn",
        first_id: int = 59047001,
        org_code: str = "11330800002618015K",
    ) -> None:
        self.profile = profile
        self.encoding = encoding
        self.noise = noise
        self.validators = validators
        self.site_name = site_name
        self.host_label = host_label
        self.columns: dict[str, Column] = {}
        self.faults: dict[str, list[str]] = {}  # path -> queue of faults ("500", "waf", "reset", ...)
        self.sticky_faults: dict[str, str] = {}  # path -> fault served until cleared
        self.down = False
        self.robots = "User-agent: *\nAllow: /\n"
        self.hits: Counter[str] = Counter()
        self.bytes_served = 0
        self.visits = itertools.count(1000)
        self.lock = threading.RLock()
        self._ids = itertools.count(first_id)
        self.org_code = org_code  # the first part of the 索引号 of its releases
        self.redirects: dict[str, str] = {}
        #: attachment files by path: bytes and Content-Type (served with an ETag, 304 when it matches)
        self.files: dict[str, tuple[bytes, str]] = {}
        #: huge files by path: (size, announce the length, answer If-None-Match); streamed as zeros,
        #: never built in memory
        self.streams: dict[str, tuple[int, bool, bool]] = {}
        #: files answered 304 Not Modified, by path
        self.not_modified: Counter[str] = Counter()

    # ------------------------------------------------------------------ building
    def add_column(self, cid: str, name: str, *, form: str = "new", per_page: int = 15) -> Column:
        col = Column(id=cid, name=name, form=form, per_page=per_page, unitid=str(7211000 + len(self.columns)))
        self.columns[cid] = col
        return col

    def add_page(
        self,
        cid: str,
        *,
        day: date | None = None,
        title: str | None = None,
        index_no: str | None = "auto",
        paragraphs: list[str] | None = None,
        raw: bytes | None = None,
        raw_path: str | None = None,
        attachments: list[tuple[str, str]] | None = None,
        top: bool = True,
    ) -> Page:
        with self.lock:
            pid = next(self._ids)
            col = self.columns[cid]
            day = day or date(2022, 9, 14)
            if index_no == "auto":
                index_no = f"{self.org_code}/{day.year}-{pid % 1000000:06d}"
            page = Page(
                id=pid,
                column=cid,
                day=day,
                title=title or corpus.title(pid),
                index_no=index_no,
                paragraphs=paragraphs if paragraphs is not None else corpus.paragraphs(pid),
                raw=raw,
                raw_path=raw_path,
                attachments=attachments or [],
            )
            if top:
                col.pages.insert(0, page)
            else:
                col.pages.append(page)
            return page

    def add_file(self, path: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Serve ``data`` at ``path`` (an attachment); replacing it keeps the URL, changes the ETag."""
        with self.lock:
            self.files[path] = (data, content_type)
            return path

    def add_stream(self, path: str, size: int, *, sized: bool = True, conditional: bool = True) -> str:
        """Serve ``size`` bytes at ``path`` as a PDF, streamed (with a Content-Length when ``sized``;
        a 304 to a matching If-None-Match when ``conditional``, else always the whole file)."""
        with self.lock:
            self.streams[path] = (size, sized, conditional)
            return path

    def page(self, pid: int) -> Page:
        for col in self.columns.values():
            for page in col.pages:
                if page.id == pid:
                    return page
        raise KeyError(pid)

    def edit(self, pid: int, old: str | None = None, new: str = "") -> Page:
        """Change the text of a release (a silent edit)."""
        with self.lock:
            page = self.page(pid)
            if page.raw is not None and old is not None:
                page.raw = page.raw.replace(old.encode(self.encoding), new.encode(self.encoding))
            elif old is not None:
                page.paragraphs = [p.replace(old, new) for p in page.paragraphs]
            else:
                page.paragraphs = [*page.paragraphs, new]
            page.version += 1
            return page

    def withdraw(self, pid: int, how: str = "gone") -> Page:
        """Take a release down: ``gone`` answers 404, ``gone_page`` a 200 "信息已删除" page."""
        with self.lock:
            page = self.page(pid)
            page.state = how
            col = self.columns[page.column]
            col.pages = [p for p in col.pages if p.id != pid]
            col.pages_withdrawn.append(page)
            return page

    def restore(self, pid: int) -> Page:
        """Put a withdrawn release back, live and listed where its date puts it."""
        with self.lock:
            for col in self.columns.values():
                for page in col.pages_withdrawn:
                    if page.id == pid:
                        col.pages_withdrawn.remove(page)
                        page.state = "live"
                        col.pages.append(page)
                        col.pages.sort(key=lambda p: p.day, reverse=True)
                        return page
            raise KeyError(pid)

    def fault(self, path: str, *kinds: str, sticky: str | None = None) -> None:
        """Serve the next requests of ``path`` as faults (``sticky`` keeps one until ``clear``):

        - answers in place of the page: ``500``/``502``/``503``/``504``, ``waf``, ``login``,
          ``maintenance`` (200 pages); ``412``/``521`` (a JavaScript cookie wall); ``gone_page``,
          ``404``; ``redirect_offsite``, ``redirect_login`` (302 to /login.jsp, a 200 login form),
          ``redirect_loop`` (302 to itself);
        - the page itself, rewritten: ``gbk_as_utf8`` (GBK bytes, header and meta say UTF-8),
          ``unlabelled_gbk`` (GBK bytes, no charset anywhere), ``nested`` / ``nested_deep`` (the
          body wrapped in ``NEST_DEPTH`` / ``DEEP_NEST_DEPTH`` divs), ``malformed`` (optional end
          tags dropped, unclosed inline tags, stray ``<``);
        - list pages: ``empty_list``, ``short_list``, ``trap`` (on a column URL: pagination that never
          ends, each page naming one more with fresh items);
        - transport (crawler/demo/server.py): ``reset``, ``slow``, ``truncated``, ``drip``,
          ``huge`` (30 MB), ``huge_unsized`` (30 MB, no Content-Length).
        """
        with self.lock:
            if sticky:
                self.sticky_faults[path] = sticky
            if kinds:
                self.faults.setdefault(path, []).extend(kinds)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            self.sticky_faults.clear()

    # ------------------------------------------------------------------ URLs
    def column_url(self, cid: str) -> str:
        if self.profile == "trs":
            return f"/{cid}/index.html"
        if self.profile == "generic":
            return f"/news/{cid}/list.html"
        return f"/col/col{cid}/index.html"

    def page_path(self, page: Page) -> str:
        if page.raw_path:
            return page.raw_path
        d = page.day
        if self.profile == "trs":
            return f"/{page.column}/{d:%Y%m}/t{d:%Y%m%d}_{page.id}.html"
        if self.profile == "generic":
            return f"/news/{page.column}/{page.id}.shtml"
        return f"/art/{d.year}/{d.month}/{d.day}/art_{page.column}_{page.id}.html"

    def _path_index(self) -> dict[str, Page]:
        """``path -> page``, rebuilt when pages are added or withdrawn (large sites stay fast)."""
        signature = tuple((len(c.pages), len(c.pages_withdrawn)) for c in self.columns.values())
        cached = getattr(self, "_index_cache", None)
        if cached is None or cached[0] != signature:
            cached = (signature, {self.page_path(p): p for p in self.all_pages()})
            self._index_cache = cached
        return cached[1]

    def all_pages(self) -> list[Page]:
        out: list[Page] = []
        for col in self.columns.values():
            out.extend(col.pages)
            out.extend(col.pages_withdrawn)
        return out

    # ------------------------------------------------------------------ serving
    def handle(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        parts = urlsplit(target)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if method == "POST" and body:
            query.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
        with self.lock:
            self.hits[path] += 1
            if self.down:
                return Response(503, b"", {})
            fault = self._take_fault(path)
            if fault:
                resp = self._fault_response(fault, path)
                if resp is not None:
                    return resp
            resp = self._route(path, query, headers, fault)
            if fault in MANGLE_FAULTS and resp.status == 200:
                resp = self._mangle(resp, fault)
            self.bytes_served += len(resp.body)
            return resp

    def _take_fault(self, path: str) -> str | None:
        queue = self.faults.get(path)
        if queue:
            return queue.pop(0)
        return self.sticky_faults.get(path)

    def _fault_response(self, fault: str, path: str) -> Response | None:
        if fault in ("500", "502", "503", "504"):
            return Response(int(fault), self._enc(ERROR_PAGE), self._html_headers())
        if fault == "waf":
            return Response(200, self._enc(WAF_PAGE), self._html_headers())
        if fault == "login":
            return Response(200, self._enc(LOGIN_PAGE), self._html_headers())
        if fault == "gone_page":
            return Response(200, self._enc(GONE_PAGE), self._html_headers())
        if fault == "404":
            return Response(404, self._enc(GONE_PAGE), self._html_headers())
        if fault == "redirect_offsite":
            return Response(302, b"", {"Location": "http://spam.example.com/"})
        if fault == "redirect_login":
            return Response(302, b"", {"Location": "/login.jsp"})
        if fault == "redirect_loop":
            return Response(302, b"", {"Location": path})
        if fault == "maintenance":
            return Response(200, self._enc(MAINTENANCE_PAGE), self._html_headers())
        if fault in ("412", "521"):
            return Response(int(fault), JS_COOKIE_WALL.encode(), {"Content-Type": "text/html; charset=utf-8"})
        return None  # list faults and transport faults are handled by the route / the server

    def _mangle(self, resp: Response, fault: str) -> Response:
        """The same page, served with a wrong or missing charset, or as bad markup."""
        text = resp.body.decode(self.encoding)
        headers = {k: v for k, v in resp.headers.items() if k.lower() != "content-type"}
        if fault == "gbk_as_utf8":
            text = re.sub(r"charset=[\w-]+", "charset=utf-8", text)
            return Response(
                200,
                text.encode("gbk", "xmlcharrefreplace"),
                {**headers, "Content-Type": "text/html; charset=utf-8"},
            )
        if fault == "unlabelled_gbk":
            text = re.sub(r"<meta[^>]*charset=[^>]*>", "", text, flags=re.I)
            return Response(
                200, text.encode("gbk", "xmlcharrefreplace"), {**headers, "Content-Type": "text/html"}
            )
        if fault in ("nested", "nested_deep"):
            depth = NEST_DEPTH if fault == "nested" else DEEP_NEST_DEPTH
            text = text.replace("<body>", "<body>" + "<div>" * depth, 1)
            text = text.replace("</body>", "</div>" * depth + "</body>", 1)
        elif fault == "malformed":  # what HTML parsers recover from: omitted end tags, stray '<'
            text = re.sub(r"</(p|td|tr|li|span)>", "", text)
            text = text.replace("<body>", "<body><!-- <div class='x' --><b><i>< a <<", 1)
        return Response(200, self._enc(text), resp.headers)

    def _html_headers(self) -> dict[str, str]:
        charset = "gbk" if self.encoding != "utf-8" else "utf-8"
        return {"Content-Type": f"text/html; charset={charset}"}

    def _enc(self, text: str) -> bytes:
        return text.encode(self.encoding, errors="xmlcharrefreplace")

    def _route(
        self, path: str, query: dict[str, str], headers: dict[str, str], fault: str | None
    ) -> Response:
        if path == "/robots.txt":
            return Response(200, self.robots.encode(), {"Content-Type": "text/plain"})
        if path in self.redirects:
            return Response(302, b"", {"Location": self.redirects[path]})
        if path in ("/", "/index.html"):
            return Response(200, self._enc(self._home()), self._html_headers())
        if path == "/module/download/downfile.jsp":  # Hanweb's attachment download
            return self._file_response(
                path, b"%PDF-1.4\n%govwatch sample attachment\n", "application/pdf", headers
            )
        if path in self.files:
            return self._file_response(path, *self.files[path], headers)
        if path in self.streams:
            size, sized, conditional = self.streams[path]
            etag = f'"stream-{size}"'
            if conditional and headers.get("if-none-match") == etag:
                self.not_modified[path] += 1
                return Response(304, b"", {"ETag": etag})
            return Response(
                200,
                b"%PDF-1.7\n",
                {"Content-Type": "application/pdf", "ETag": etag},
                stream=size - 9,
                unsized=not sized,
            )
        if path == "/login.jsp":  # where ``redirect_login`` sends: a login form, as real sites answer
            return Response(200, self._enc(LOGIN_PAGE), self._html_headers())
        if path.endswith("dataproxy.jsp"):
            return self._dataproxy(query, fault)
        for col in self.columns.values():
            n = self._list_page_no(col, path)
            if n is not None:
                return self._list_response(col, n, fault)
        page = self._path_index().get(path)
        if page is not None:
            return self._detail_response(page, headers)
        return Response(404, self._enc(GONE_PAGE), self._html_headers())

    def _file_response(self, path: str, data: bytes, content_type: str, headers: dict[str, str]) -> Response:
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if headers.get("if-none-match") == etag:
            self.not_modified[path] += 1
            return Response(304, b"", {"ETag": etag})
        return Response(200, data, {"Content-Type": content_type, "ETag": etag})

    def _list_page_no(self, col: Column, path: str) -> int | None:
        base = self.column_url(col.id)
        if path == base:
            return 1
        if self.profile == "trs":
            prefix = f"/{col.id}/index_"
        elif self.profile == "generic":
            prefix = f"/news/{col.id}/list_"
        else:
            return None
        if path.startswith(prefix) and path.endswith(".html"):
            try:
                return int(path[len(prefix) : -5]) + 1
            except ValueError:
                return None
        return None

    # ------------------------------------------------------------------ list pages
    def _listed(self, col: Column, fault: str | None) -> list[Page]:
        pages = [p for p in col.pages if p.state in ("live", "listed_only")]
        if fault == "empty_list":
            return []
        if fault == "short_list":
            return pages[:2]
        return pages

    def _record(self, page: Page) -> str:
        t = html.escape(page.title, quote=True)
        return (
            f"<li><a href='{self.page_path(page)}' title='{t}' target='_blank'>{t}</a>"
            f"<span class='bt_time'>{page.day.isoformat()}</span></li>"
        )

    def _trapped(self, col: Column) -> bool:
        return self.sticky_faults.get(self.column_url(col.id)) == "trap"

    def _trap_items(self, col: Column, n: int) -> list[Page]:
        """Page ``n`` of a pagination trap: fresh items (never served: their URLs answer 404)."""
        base = 90_000_000 + n * 100
        return [
            Page(
                id=base + i,
                column=col.id,
                day=date(2022, 1, 1) - timedelta(days=n),
                title=f"陷阱栏目第{n}页第{i}条",
                index_no=None,
            )
            for i in range(col.per_page)
        ]

    def _list_response(self, col: Column, n: int, fault: str | None) -> Response:
        listed = self._listed(col, fault)
        per = col.per_page
        total_pages = max(1, -(-len(listed) // per))
        chunk = listed[(n - 1) * per : n * per]
        if self._trapped(col):  # every page shows fresh items first and names one more page
            chunk = self._trap_items(col, n) + chunk
            total_pages = n + 1
            if self.profile == "hanweb":
                listed = self._trap_items(col, 1) + listed
        if n > total_pages:
            return Response(404, self._enc(GONE_PAGE), self._html_headers())
        if self.profile == "trs":
            return Response(200, self._enc(self._trs_list(col, chunk, n, total_pages)), self._html_headers())
        if self.profile == "generic":
            return Response(
                200, self._enc(self._generic_list(col, chunk, n, total_pages)), self._html_headers()
            )
        return Response(200, self._enc(self._hanweb_column(col, listed)), self._html_headers())

    def _hanweb_column(self, col: Column, listed: list[Page]) -> str:
        first = listed[: col.per_page]
        records = "\n".join(f"<record><![CDATA[{self._record(p)}]]></record>" for p in first)
        webname = quote(self.site_name)
        nextgroup = (
            f'<a href="/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=3084&path=/&columnid={col.id}'
            f'&unitid={col.unitid}&webname={webname}&permissiontype=0"></a>'
            if col.form == "new" and len(listed) > col.per_page
            else ""
        )
        return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={self._charset()}">
<title>{col.name} {self.site_name}</title>
<meta name="SiteName" content="{self.site_name}"><meta name="ColumnName" content="{col.name}">
</head><body>
{self._noise_header()}
<div class="position">当前位置: <a href="/">首页</a> &gt; <a href="{self.column_url(col.id)}">{col.name}</a></div>
<div class="list_box"><div id="{col.unitid}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script></div>
{self._jpage(col, listed)}</div>
{self._noise_footer()}
</body></html>"""

    def _jpage(self, col: Column, listed: list[Page]) -> str:
        """The pager script: older sites POST to /module/jpage/ with a ``param_<unitid>`` object;
        newer ones page through the ``<nextgroup>`` template alone."""
        if col.form == "new":
            return '<script language="javascript" src="/module/web/jpage/jpage.js"></script>'
        return f"""<script language="javascript" src="/module/jslib/jquery/jpage/jpage.js"></script>
<script>
var param_{col.unitid} = {{col:1,appid:1,webid:3084,path:'/',columnid:{col.id},sourceContentType:1,unitid:'{col.unitid}',webname:'{self.site_name}',permissiontype:0}};
$(function(){{ $('#{col.unitid}').jpage({{ dataStore: [], totalRecord: {len(listed)}, perPage: {col.per_page}, groupSize: {col.group_size}, barPosition: 'bottom', proxyUrl: '/module/jpage/dataproxy.jsp', ajaxParam: param_{col.unitid}, showMode: 'full' }}); }});
</script>"""

    def _dataproxy(self, query: dict[str, str], fault: str | None) -> Response:
        col = self.columns.get(query.get("columnid", ""))
        if col is None:
            return Response(404, self._enc(GONE_PAGE), self._html_headers())
        listed = self._listed(col, fault)
        per = col.per_page
        total_pages = max(1, -(-len(listed) // per))
        if "page" in query:
            n = int(query["page"])
            chunk = listed[(n - 1) * per : n * per]
            if self._trapped(col):
                chunk = self._trap_items(col, n) + chunk
                total_pages = n + 1
            nextgroup = (
                f'<a href="/module/web/jpage/dataproxy.jsp?page={n + 1}&appid=1&webid=3084&path=/'
                f'&columnid={col.id}&unitid={col.unitid}&permissiontype=0"></a>'
                if n < total_pages
                else ""
            )
        else:
            start = int(query.get("startrecord", "1"))
            end = int(query.get("endrecord", str(start + per - 1)))
            chunk = listed[start - 1 : end]
            nextgroup = ""
        records = "\n".join(f"<record><![CDATA[{self._record(p)}]]></record>" for p in chunk)
        xml = (
            f'<?xml version="1.0" encoding="{self._charset()}"?>\n<datastore>\n'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{records}\n</recordset>\n"
            f"<totalrecord>{len(listed)}</totalrecord>\n<totalpage>{total_pages}</totalpage>\n</datastore>\n"
        )
        charset = self._charset()
        return Response(200, self._enc(xml), {"Content-Type": f"text/xml; charset={charset}"})

    def _trs_list(self, col: Column, chunk: list[Page], n: int, total: int) -> str:
        items = "\n".join(
            f'<li><a href="./{p.day:%Y%m}/t{p.day:%Y%m%d}_{p.id}.html" target="_blank" '
            f'title="{html.escape(p.title)}">{html.escape(p.title)}</a><span>{p.day.isoformat()}</span></li>'
            for p in chunk
        )
        return f"""<!DOCTYPE html><html><head><meta charset="{self._charset()}"><title>{col.name}_{self.site_name}</title>
<meta name="SiteName" content="{self.site_name}"><meta name="ColumnName" content="{col.name}"></head><body>
{self._noise_header()}
<div class="crumb">当前位置：<a href="../">首页</a> &gt;&gt; <a href="./">{col.name}</a></div>
<ul class="list">
{items}
</ul>
<div class="page"><script type="text/javascript">
var currentPage = {n - 1};
var countPage = {total}//共多少页
createPageHTML({total}, {n - 1}, "index", "html");
</script></div>
{self._noise_footer()}
</body></html>"""

    def _generic_list(self, col: Column, chunk: list[Page], n: int, total: int) -> str:
        items = "\n".join(
            f'<li><a href="/news/{col.id}/{p.id}.shtml">{html.escape(p.title)}</a><em>{p.day:%Y年%m月%d日}</em></li>'
            for p in chunk
        )
        nxt = f'<a class="next" href="list_{n}.html">下一页</a>' if n < total else ""
        return f"""<!DOCTYPE html><html><head><meta charset="{self._charset()}"><title>{col.name}</title></head><body>
{self._noise_header()}
<ul class="newslist">
{items}
</ul>
<div class="pager">{nxt}</div>
{self._noise_footer()}
</body></html>"""

    # ------------------------------------------------------------------ detail pages
    def _validator(self, page: Page) -> str:
        digest = hashlib.sha1(f"{page.id}:{page.version}:{page.extra_html}".encode()).hexdigest()[:16]
        return f'"{digest}"'

    def _detail_response(self, page: Page, headers: dict[str, str]) -> Response:
        if page.state == "gone":
            return Response(404, self._enc(GONE_PAGE), self._html_headers())
        if page.state == "gone_page":
            return Response(200, self._enc(GONE_PAGE), self._html_headers())
        extra: dict[str, str] = {}
        if self.validators:
            etag = self._validator(page)
            extra["ETag"] = etag
            if headers.get("if-none-match") == etag:
                return Response(304, b"", extra)
        if page.raw is not None:
            body = page.raw
            if page.extra_html:
                body = body.replace(b"</body>", page.extra_html.encode(self.encoding) + b"</body>")
            return Response(200, body, {**self._html_headers(), **extra})
        render = {"trs": self._trs_detail, "generic": self._generic_detail}.get(
            self.profile, self._hanweb_detail
        )
        return Response(200, self._enc(render(page)), {**self._html_headers(), **extra})

    def _charset(self) -> str:
        return "gb2312" if self.encoding != "utf-8" else "utf-8"

    def _body_html(self, page: Page) -> str:
        paras = "\n".join(
            f'<p style="text-indent: 2em;">{html.escape(p, quote=False)}</p>' for p in page.paragraphs
        )
        files = "\n".join(
            f'<p><a href="{href}">{html.escape(name)}</a></p>' for name, href in page.attachments
        )
        links = "\n".join(f'<p><a href="{href}">{html.escape(text)}</a></p>' for text, href in page.links)
        return paras + files + links

    def _noise_header(self) -> str:
        if not self.noise:
            return ""
        today = datetime.now()
        return f'<div class="top"><div class="date">{today:%Y年%m月%d日} {today:%H:%M:%S}</div></div>'

    def _noise_footer(self) -> str:
        if not self.noise:
            return "<div class='foot'>Produced By 大汉网络 大汉版通发布系统</div>"
        nonce = random.getrandbits(64)
        return (
            f"<script nonce='{nonce:x}'>var _hmt_{nonce:x} = 1;</script>"
            "<div class='foot'>Produced By 大汉网络 大汉版通发布系统</div>"
        )

    def _related(self, page: Page) -> str:
        if not self.noise:
            return ""
        pool = list(self._path_index().values())
        picks = [p for p in random.sample(pool, min(4, len(pool))) if p.id != page.id and p.state == "live"][
            :3
        ]
        items = "".join(f"<li><a href='{self.page_path(p)}'>{html.escape(p.title)}</a></li>" for p in picks)
        return f"<div class='xgxw'><h3>相关信息</h3><ul>{items}</ul></div>"

    def _visits(self) -> str:
        return (
            f'<div class="fx">浏览次数：<span id="visits">{next(self.visits)}</span></div>'
            if self.noise
            else ""
        )

    def _hanweb_detail(self, page: Page) -> str:
        col = self.columns[page.column]
        d = page.day
        index = page.index_no or ""
        return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={self._charset()}" />
<title>{html.escape(page.title)}</title>
<meta name="SiteName" content="{self.site_name}"><meta name="SiteDomain" content="{self.host_label}">
<meta name="ColumnName" content="{col.name}"><meta name="ArticleTitle" content="{html.escape(page.title)}">
<meta name="PubDate" content="{d.isoformat()} 09:00"><meta name="ContentSource" content="{page.publisher}">
</head><body>
{self._noise_header()}
<div class="main">
<div class="position">当前位置: <a href="/">首页</a> &gt; <a href="{self.column_url(col.id)}">{col.name}</a></div>
<table class="xxgk_table">
<tr><td class="bt">索引号:</td><td class="nr">{index}</td><td class="bt">成文日期:</td><td class="nr">{d.isoformat()}</td></tr>
<tr><td class="bt">文件编号:</td><td class="nr"></td><td class="bt">组配分类:</td><td class="nr">{col.name}</td></tr>
<tr><td class="bt">发布机构:</td><td class="nr">{page.publisher}</td><td class="bt">有效性:</td><td class="nr"></td></tr>
</table>
<div class="title">{html.escape(page.title)}</div>
<!--ZJEG_RSS.content.begin--><meta name="ContentStart"><div id="zoom">
{self._body_html(page)}
</div><meta name="ContentEnd"><!--ZJEG_RSS.content.end-->
{self._visits()}
<div class="close">【<a href="javascript:window.print()">打印本页</a>】 【<a href="javascript:window.close()">关闭本页</a>】</div>
{self._related(page)}
</div>
{page.extra_html}
{self._noise_footer()}
</body></html>"""

    def _trs_detail(self, page: Page) -> str:
        col = self.columns[page.column]
        d = page.day
        return f"""<!DOCTYPE html><html><head><meta charset="{self._charset()}"><title>{html.escape(page.title)}_{self.site_name}</title>
<meta name="SiteName" content="{self.site_name}"><meta name="ColumnName" content="{col.name}">
<meta name="ArticleTitle" content="{html.escape(page.title)}"><meta name="PubDate" content="{d.isoformat()} 10:30">
<meta name="ContentSource" content="{page.publisher}"></head><body>
{self._noise_header()}
<div class="crumb">当前位置：<a href="../../">首页</a> &gt;&gt; <a href="../">{col.name}</a></div>
<table class="xxgk"><tr><th>索引号：</th><td>{page.index_no or ""}</td><th>发布机构：</th><td>{page.publisher}</td></tr>
<tr><th>成文日期：</th><td>{d:%Y年%m月%d日}</td><th>文号：</th><td></td></tr></table>
<h1>{html.escape(page.title)}</h1>
<div class="TRS_Editor">
{self._body_html(page)}
</div>
{self._visits()}
{self._related(page)}
{page.extra_html}
{self._noise_footer()}
</body></html>"""

    def _generic_detail(self, page: Page) -> str:
        d = page.day
        return f"""<!DOCTYPE html><html><head><meta charset="{self._charset()}"><title>{html.escape(page.title)}</title>
<meta name="ArticleTitle" content="{html.escape(page.title)}"><meta name="PubDate" content="{d.isoformat()}">
<meta name="ContentSource" content="{page.publisher}"></head><body>
{self._noise_header()}
<div class="article"><h1>{html.escape(page.title)}</h1>
<div class="info">索引号：{page.index_no or ""} 发布机构：{page.publisher} 发布日期：{d.isoformat()}</div>
<div class="article-content">
{self._body_html(page)}
</div></div>
{self._visits()}
{self._related(page)}
{page.extra_html}
{self._noise_footer()}
</body></html>"""

    def _home(self) -> str:
        cols = "".join(
            f'<li><a href="{self.column_url(c.id)}">{c.name}</a></li>' for c in self.columns.values()
        )
        return f"<html><head><meta charset='{self._charset()}'><title>{self.site_name}</title></head><body><ul>{cols}</ul></body></html>"


def build_site(
    n: int,
    *,
    profile: str = "hanweb",
    encoding: str = "utf-8",
    columns: tuple[tuple[str, str, str], ...] = (
        ("1229037214", "发布实录", "new"),
        ("1229037215", "通知公告", "old"),
    ),
    start: date = date(2022, 9, 14),
    noise: bool = True,
    per_page: int = 15,
) -> SampleSite:
    """A site of ``n`` releases spread over ``columns``, one per day going back from ``start``."""
    site = SampleSite(profile=profile, encoding=encoding, noise=noise)
    for cid, name, form in columns:
        site.add_column(cid, name, form=form, per_page=per_page)
    ids = [c[0] for c in columns]
    for i in range(n):
        site.add_page(ids[i % len(ids)], day=start - timedelta(days=i), top=False)
    return site
