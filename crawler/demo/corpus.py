"""Deterministic Chinese text for the sample sites: titles and paragraphs in the register of
government releases, so the demo, tests and benchmarks exercise the real normalizer on real-looking
pages."""

from __future__ import annotations

import random

TITLES = (
    "衢州市第{n}场新闻发布会答问实录",
    "关于印发衢州市数字化改革工作要点的通知",
    "衢州市人民政府关于调整部分行政权力事项的决定",
    "衢州市{n}年国民经济和社会发展统计公报",
    "衢州市人民政府办公室关于做好防汛防台工作的通知",
    "市政府常务会议研究部署安全生产工作（第{n}次）",
    "关于公布区级行政审批中介服务事项的通知",
    "衢州市优化营商环境提升行动方案解读",
)

SENTENCES = (
    "近年来，衢州坚持以数字化改革为引领，全面提升政府治理能力。",
    "会议强调，要坚决扛起安全生产政治责任，压紧压实各方责任。",
    "全市新增学位6.9万个，老百姓家门口的好学校越来越多。",
    "我们将持续优化营商环境，打造四省边际现代产业桥头堡。",
    "各县（市、区）人民政府，市政府各部门、各直属单位：现将有关事项通知如下。",
    "本通知自印发之日起施行，由市司法局负责解释。",
    "截至目前，累计发放碳账户贷款316亿元，用于支持企业低碳发展。",
    "下一步，将加快推进未来社区、未来乡村建设，推动公共服务优质共享。",
    "主汛期即将来临，各地要立即开展隐患排查，做好物资储备和人员转移准备。",
    "统计数据显示，全市地区生产总值比上年增长8.7%，增速位列全省前列。",
    "市委书记在会上指出，要以实际行动和优异成绩迎接党的二十大胜利召开。",
    "衢州是国家历史文化名城，也是一座年轻的地级市。",
    "发布会上，有关负责人介绍了全市基层治理体系建设的进展情况。",
    "请各单位认真贯彻执行，执行中遇到的问题及时报告市政府办公室。",
    "全面推行行政审批中介服务事项清单管理，清单之外不得设置中介服务。",
    "衢州以承担“县乡一体、条抓块统”改革试点为契机，着力构建整体智治体系。",
)

QA = (
    ("记者", "请介绍一下今年以来全市经济运行的总体情况。"),
    ("市发展改革委主任", "今年以来，全市经济运行总体平稳、稳中有进，主要指标增速位居全省前列。"),
    ("记者", "在推进共同富裕方面，下一步有哪些具体举措？"),
    ("市长", "我们将坚持用“小财政”办好“大民生”，重点做好人口集聚、功能布局、服务质量、托底保障四篇文章。"),
)


def paragraphs(seed: int, count: int = 5) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(SENTENCES) + rng.choice(SENTENCES) for _ in range(count)]


def title(seed: int) -> str:
    rng = random.Random(seed * 7919)
    template = rng.choice(TITLES)
    n = 2000 + seed % 25 if "年" in template else seed % 97 + 1
    return template.format(n=n)
