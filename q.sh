node --import tsx q.tmp.ts; H=1 node --import tsx q.tmp.ts; VS=100 node --import tsx q.tmp.ts; VS=100 H=1 node --import tsx q.tmp.ts
