# Writes OUTPUT: a C++ header defining `const char *NAME` holding INPUT's text
# (the microkernel sources the compiler builds into each artifact).
file(READ "${INPUT}" text)
file(WRITE "${OUTPUT}" "// Generated from ${INPUT}; do not edit.\n"
  "static const char *${NAME} = R\"ukernel(${text})ukernel\";\n")
