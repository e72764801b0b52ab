/**
 * Small runnable programs, each a {@code main} of a few dozen lines against the public API alone: read one to learn a
 * use of the library in minutes. Each takes its models' base URLs as arguments (OpenAI's and a local Ollama's by
 * default) and is run by a test against loopback model servers. Run one with {@code java -cp
 * routellm-examples/target/routellm.jar dev.routellm.examples.programs.RouteBetweenTwoModels}; the LangChain4j and
 * Spring Boot programs need those libraries on the class path as well (the jar leaves them out).
 */
package dev.routellm.examples.programs;
