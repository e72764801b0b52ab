/** The router: decisions, routed responses, listeners, fallback. */
package dev.routellm.routing;
