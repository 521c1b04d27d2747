"""The crawl: Scrapy glue that reads columns through a CMS profile and passes every fetch through
normalize → integrity → store."""
