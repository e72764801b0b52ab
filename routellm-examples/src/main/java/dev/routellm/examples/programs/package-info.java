/**
 * Small runnable programs, each a {@code main} of a few dozen lines against the public API alone: read one to learn a
 * use of the library in minutes. Each takes its models' base URLs as arguments (OpenAI's and a local Ollama's by
 * default) and is run by a test against loopback model servers. Run one with {@code mvn -q -pl routellm-examples
 * exec:java -Dexec.mainClass=dev.routellm.examples.programs.RouteBetweenTwoModels -Dexec.classpathScope=compile}.
 */
package dev.routellm.examples.programs;
