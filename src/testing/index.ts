// The public `csdn-crawl/testing` entry: the CSDN replica and the conformance suites.
export {};
