package io.pixartdelta.producer.cli;

import java.io.Console;

/** Whether the CLI writes to an interactive terminal (where a progress bar can redraw itself). */
final class Terminal {
  private Terminal() {}

  /**
   * Java 22 and later return a console even when output is redirected and tell the two apart with
   * {@code Console.isTerminal()}; before that, a console exists only for a terminal.
   */
  @SuppressWarnings("SystemConsoleNull") // the null check answers for Java 17 to 21
  static boolean attached() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
