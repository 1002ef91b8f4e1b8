import type { Rng } from './prng.js';

const TOPICS = [
  'Spring Boot 自动配置原理',
  'Redis 持久化与主从复制',
  'MySQL 索引优化实战',
  'Vue3 组合式 API 入门',
  'React Hooks 踩坑记录',
  'Go 语言闭包详解',
  'Python 爬虫从入门到放弃',
  'Linux 常用命令速查',
  'Docker 镜像瘦身技巧',
  'Kubernetes 部署指南',
  'JVM 垃圾回收机制',
  'Nginx 反向代理配置',
  'TCP 三次握手与四次挥手',
  '动态规划经典题目',
  '二叉树的遍历',
  'Git 分支管理策略',
  'TypeScript 类型体操',
  'Rust 所有权与借用',
  'C++ 智能指针',
  'Elasticsearch 查询 DSL',
  'Kafka 消息可靠性',
  '微服务网关设计',
  'LeetCode 每日一题',
  '树莓派搭建家庭服务器',
  'PyTorch 训练技巧',
  '操作系统进程调度',
  'HTTP/2 与 HTTP/3 对比',
  'Android 性能优化',
];
const SUFFIX = [
  '',
  '（一）',
  '（二）',
  '（完整版）',
  ' 学习笔记',
  ' 总结',
  ' 实战',
  '：一文读懂',
  ' 面试题',
  '',
];
const DESCRIPTIONS = [
  '本文记录了我在项目中遇到的问题以及解决思路，希望对大家有所帮助。',
  '从原理到实践，一步一步带你理解其中的细节。',
  '整理了常见的用法和注意事项，建议收藏。',
  '这是一篇学习笔记，内容来自官方文档和个人实践。',
];

/** An article title; some carry emoji, quotes, `<`, `&` or a script payload on purpose. */
export function titleFor(rng: Rng, index: number): string {
  const base = `${rng.pick(TOPICS)}${rng.pick(SUFFIX)}`;
  const roll = rng.next();
  if (roll < 0.03) return `${base} <script>alert(1)</script>`;
  if (roll < 0.07) return `List<String> & Map<K, V> 在${base}中的用法`;
  if (roll < 0.11) return `"${base}" 与 '单引号' 的区别`;
  if (roll < 0.14) return `🚀 ${base} 🔥`;
  if (roll < 0.16) return `${base} #${index + 1}`;
  return base;
}

export function descriptionFor(rng: Rng): string {
  return rng.pick(DESCRIPTIONS);
}
