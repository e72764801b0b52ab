/**
 * Spend limits that hold across the replicas of an application: a {@link dev.routellm.budget.SpendLimiter} reserves a
 * request's estimated cost before a model is called, per day and per tenant (API key or customer) and for all
 * tenants together, and settles the actual cost afterwards; a {@link dev.routellm.budget.SpendStore} keeps the
 * amounts, in this process ({@link dev.routellm.budget.SpendStore#inMemory()}) or in Redis ({@link
 * dev.routellm.budget.RedisSpendStore}, with Jedis on the class path).
 */
package dev.routellm.budget;
