"""The baseline: a bare Scrapy spider fetching the given URLs with govwatch's test politeness
settings and doing nothing with them.

    python bench/bare_spider.py URLS_FILE
"""

from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess

SETTINGS = {
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": True,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
}


class Bare(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kw: object) -> None:
        super().__init__(**kw)
        self.urls = urls

    async def start(self):  # type: ignore[override]
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: scrapy.http.Response) -> None:
        return None


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        urls = [line.strip() for line in fh if line.strip()]
    process = CrawlerProcess(SETTINGS)
    crawler = process.create_crawler(Bare)
    process.crawl(crawler, urls=urls)
    process.start()
    print(crawler.stats.get_value("downloader/request_count", 0))
