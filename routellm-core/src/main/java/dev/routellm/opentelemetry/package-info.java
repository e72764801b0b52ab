/**
 * OpenTelemetry spans for routed requests: {@link dev.routellm.opentelemetry.RouterTracing}, a router listener. Needs
 * {@code io.opentelemetry:opentelemetry-api} on the class path (an optional dependency of routellm-core).
 */
package dev.routellm.opentelemetry;
