#===- TestExamplePlugin.cmake - cmake -P script run by ctest -------------===#
#
# Configures an example plug-in as its own CMake project against AutoGLM's
# build tree (-DAutoGLM_DIR), builds it and runs its lit tests: what a user
# of docs/writing-a-pass.md does. -DSOURCE_DIR, -DBINARY_DIR, -DAUTOGLM_DIR,
# -DGENERATOR, -DCXX_COMPILER and -DCOMPILER_LAUNCHER (may be empty).
#
#===----------------------------------------------------------------------===#

if(NOT EXISTS "${BINARY_DIR}/CMakeCache.txt")
  set(launcher)
  if(COMPILER_LAUNCHER)
    set(launcher "-DCMAKE_CXX_COMPILER_LAUNCHER=${COMPILER_LAUNCHER}")
  endif()
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -G "${GENERATOR}" -S "${SOURCE_DIR}"
            -B "${BINARY_DIR}" "-DAutoGLM_DIR=${AUTOGLM_DIR}"
            "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release
            ${launcher}
    COMMAND_ERROR_IS_FATAL ANY)
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}"
  COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}"
  --target check COMMAND_ERROR_IS_FATAL ANY)
