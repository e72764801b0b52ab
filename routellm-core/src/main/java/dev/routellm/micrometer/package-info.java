/**
 * Micrometer meters for routed traffic: {@link dev.routellm.micrometer.RouterMetrics}, a router listener. Needs
 * {@code io.micrometer:micrometer-core} on the class path (an optional dependency of routellm-core).
 */
package dev.routellm.micrometer;
