/**
 * Spring AI and Spring Boot integration: {@link dev.routellm.spring.RoutingChatModel}, a Spring AI {@code ChatModel}
 * backed by a router, and {@link dev.routellm.spring.RouteLlmAutoConfiguration}, which builds the router and that
 * model from {@code routellm.*} properties ({@link dev.routellm.spring.RouteLlmProperties}). Needs {@code
 * org.springframework.ai:spring-ai-model} 1.x (and Spring Boot 3 for the auto-configuration) on the class path,
 * optional dependencies of routellm-core. Spring AI jars declare no module name, so this package is not exported by the module {@code dev.routellm.core}:
 * use it from the class path, as Spring Boot applications run.
 */
package dev.routellm.spring;
