/**
 * LangChain4j integration: {@link dev.routellm.langchain4j.RoutingChatModel} and {@link
 * dev.routellm.langchain4j.RoutingStreamingChatModel} give any AI Service routing (the decision travels in the
 * response metadata, {@link dev.routellm.langchain4j.RoutedChatResponseMetadata}), and {@link
 * dev.routellm.langchain4j.LangChain4jBackend} lets a router call a model configured in LangChain4j. Needs {@code
 * dev.langchain4j:langchain4j-core} 1.x on the class path (an optional dependency of routellm-core).
 *
 * <p>LangChain4j 1.19 has no routing hook of its own (no {@code ChatModelRouter}); a routed model is an ordinary
 * {@code ChatModel}. LangChain4j's jars declare no module name, so this package is not exported by the module {@code
 * dev.routellm.core}: use it from the class path, as LangChain4j itself is used.
 */
package dev.routellm.langchain4j;
