# WebAssembly build: included by the top-level CMakeLists.txt when EMSCRIPTEN is set,
# after the engine library target `relu_engine` is defined.
#
# Produces relu_engine.js (an ES module factory, createReluModule) and relu_engine.wasm
# in the build directory. See bindings/README.md for why each choice is made.
#
#   NODE_PATH=/usr/share/nodejs emcmake cmake -S . -B build-wasm \
#       -DEigen3_DIR=/usr/share/eigen3/cmake -Dnlohmann_json_DIR=/usr/share/cmake/nlohmann_json \
#       -DCMAKE_CROSSCOMPILING_EMULATOR=node
#   NODE_PATH=/usr/share/nodejs cmake --build build-wasm -j2
#
# Options:
#   RELU_WASM_SSE   ON : let Eigen take its SSE path, which Emscripten lowers to wasm SIMD
#                        (needs the patched Eigen copy and the mmintrin.h shim below).
#                   OFF: -msimd128 only (Eigen scalar code + LLVM auto-vectorisation).
#   RELU_WASM_EH    wasm: -fwasm-exceptions (native wasm exception handling; the default)
#                   js  : -fexceptions (Emscripten's JS-based exceptions: calls that may throw go
#                         through JS trampolines, which cannot pass SIMD values; see README)
#   CMAKE_BUILD_TYPE Debug adds -sASSERTIONS=1 (and -g); Release is -O3.

option(RELU_WASM_SSE "Compile Eigen's SSE path to wasm SIMD" ON)
set(RELU_WASM_EH "wasm" CACHE STRING "C++ exception handling: wasm (-fwasm-exceptions) or js (-fexceptions)")
set_property(CACHE RELU_WASM_EH PROPERTY STRINGS js wasm)
set(RELU_WASM_MAX_MEMORY "1GB" CACHE STRING "Cap for the wasm heap (-sMAXIMUM_MEMORY)")
set(RELU_WASM_SSE_FLAGS "-msse;-msse2;-msse3;-mssse3;-msse4.1;-msse4.2" CACHE STRING
    "x86 SSE levels Emscripten emulates with wasm SIMD (with RELU_WASM_SSE)")

set(_relu_bind_dir ${CMAKE_CURRENT_LIST_DIR})

# ---------------------------------------------------------------------------
# 1. A copy of Eigen with one header patched (configure time, reproducible).
#
# Eigen 3.4.0's SSE PacketMath.h implements pmin/pmax with x86 inline asm when
#   #if EIGEN_COMP_GNUC && EIGEN_COMP_GNUC < 63
# (a workaround for a GCC < 6.3 bug). Clang reports __GNUC__ 4.2, so the guard is
# true under Emscripten and the asm cannot compile to wasm. Later Eigen changed the
# guard to EIGEN_COMP_GNUC_STRICT (real GCC only); we apply exactly that change.
# It cannot be done with a macro: Macros.h defines EIGEN_COMP_GNUC unconditionally,
# and -fgnuc-version cannot help (>= 6.0 turns on other x86 asm in
# GeneralBlockPanelKernel.h, < 6.3 keeps this one). Eigen includes its own files by
# relative path, so a single patched header cannot shadow the original: the Eigen/
# tree is copied (about 7 MB, once) and the one file rewritten.
#
# While at it, packet pmin/pmax for float use wasm's f32x4.pmin/pmax, which have
# exactly the semantics of the x86 minps/maxps Eigen asks for (return the second
# operand unless the comparison holds, so NaN handling is unchanged), instead of
# Emscripten's emulation (compare + bitselect).
# ---------------------------------------------------------------------------
if(RELU_WASM_SSE)
  get_target_property(_eigen_inc Eigen3::Eigen INTERFACE_INCLUDE_DIRECTORIES)
  list(GET _eigen_inc 0 _eigen_inc)
  set(_eigen_src "${_eigen_inc}/Eigen/src/Core/arch/SSE/PacketMath.h")
  if(NOT EXISTS "${_eigen_src}")
    message(FATAL_ERROR "wasm.cmake: cannot find Eigen's SSE PacketMath.h under ${_eigen_inc}")
  endif()
  set(_eigen_copy "${CMAKE_BINARY_DIR}/eigen-wasm")
  file(SHA256 "${_eigen_src}" _eigen_hash)
  set(_eigen_stamp "${_eigen_copy}/.patched-${_eigen_hash}-v2")
  if(NOT EXISTS "${_eigen_stamp}")
    file(REMOVE_RECURSE "${_eigen_copy}")
    file(COPY "${_eigen_inc}/Eigen" DESTINATION "${_eigen_copy}")
    set(_pm "${_eigen_copy}/Eigen/src/Core/arch/SSE/PacketMath.h")
    file(READ "${_pm}" _text)
    set(_old_guard "#if EIGEN_COMP_GNUC && EIGEN_COMP_GNUC < 63")
    set(_new_guard "#if EIGEN_COMP_GNUC_STRICT && EIGEN_COMP_GNUC < 63  /* relu-playground: as in later Eigen */")
    string(FIND "${_text}" "${_old_guard}" _found)
    if(_found EQUAL -1)
      string(FIND "${_text}" "asm(\"minps" _asm)
      if(NOT _asm EQUAL -1)
        message(FATAL_ERROR "wasm.cmake: this Eigen's PacketMath.h has x86 asm behind a guard "
                            "the patch does not know; see bindings/README.md")
      endif()
      message(STATUS "wasm.cmake: Eigen's SSE PacketMath.h needs no guard patch")
    else()
      string(REPLACE "${_old_guard}" "${_new_guard}" _text "${_text}")
    endif()
    foreach(_op max min)
      set(_old "  // Arguments are reversed to match NaN propagation behavior of std::${_op}.\n  return _mm_${_op}_ps(b, a);")
      set(_new "#if defined(__wasm_simd128__)  /* relu-playground: x86 ${_op}ps semantics, one wasm op */\n  return (__m128)wasm_f32x4_p${_op}((v128_t)a, (v128_t)b);\n#else\n${_old}\n#endif")
      string(FIND "${_text}" "${_old}" _found)
      if(NOT _found EQUAL -1)
        string(REPLACE "${_old}" "${_new}" _text "${_text}")
      endif()
    endforeach()
    file(WRITE "${_pm}" "${_text}")
    file(WRITE "${_eigen_stamp}" "patched copy of ${_eigen_inc}/Eigen, see bindings/wasm.cmake\n")
  endif()
  set(RELU_WASM_SIMD_FLAGS -msimd128 ${RELU_WASM_SSE_FLAGS} -DEIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS=16)
  # BEFORE: the patched copy and the shim come ahead of Eigen3::Eigen's -isystem path.
  target_include_directories(relu_engine BEFORE PUBLIC "${_eigen_copy}" "${_relu_bind_dir}/shim")
else()
  set(RELU_WASM_SIMD_FLAGS -msimd128)
endif()

# nlohmann_json's package config points at /usr/include, which would put the host's
# glibc headers (bits/libc-header-start.h, ...) in front of Emscripten's libc. Give the
# imported target a directory that holds nlohmann/ and nothing else.
if(TARGET nlohmann_json::nlohmann_json)
  get_target_property(_json_inc nlohmann_json::nlohmann_json INTERFACE_INCLUDE_DIRECTORIES)
  set(_json_only "${CMAKE_BINARY_DIR}/nlohmann-only")
  foreach(_d IN LISTS _json_inc)
    if(EXISTS "${_d}/nlohmann/json.hpp" AND NOT EXISTS "${_json_only}/nlohmann/json.hpp")
      file(COPY "${_d}/nlohmann" DESTINATION "${_json_only}")
    endif()
  endforeach()
  if(NOT EXISTS "${_json_only}/nlohmann/json.hpp")
    message(FATAL_ERROR "wasm.cmake: nlohmann/json.hpp not found in ${_json_inc}")
  endif()
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_json_only}")
endif()

if(RELU_WASM_EH STREQUAL "wasm")
  set(RELU_WASM_EH_FLAG -fwasm-exceptions)
elseif(RELU_WASM_EH STREQUAL "js")
  set(RELU_WASM_EH_FLAG -fexceptions)
else()
  message(FATAL_ERROR "RELU_WASM_EH must be js or wasm, not '${RELU_WASM_EH}'")
endif()

# Size: the page's first download has a 300 KB gzip budget (tools/download-sizes.mjs), and the
# wasm is two thirds of it. The code that runs once per run or per request (parsing configs,
# CSV and weights JSON, sweeps, fingerprints, the embind glue) is compiled for size; the
# training step, the monitor and the studies' inner loops stay at -O3. Optimisation level
# changes no result (no fast-math): the goldens are the same bits.
foreach(_cold config.cpp weights_io.cpp sweep.cpp fingerprint.cpp dataset.cpp packed_data.cpp history.cpp net_spec.cpp
              mlp_build.cpp run.cpp monitor.cpp init.cpp born_dead.cpp top_inputs.cpp loss.cpp optimizer.cpp activation.cpp
              remedies.cpp)
  set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/engine/${_cold} PROPERTIES COMPILE_OPTIONS "-Os")
endforeach()
# remedies.cpp is step code, but only when a continual-learning remedy is on, and its cost
# there is the noise's Box-Muller (libm), not the loops -O3 would vectorise: at -O3 it cost
# about 4 KB of gzip.
# No RTTI in the engine's own files: it uses none (no typeid, dynamic_cast or virtual classes),
# and type_info names are bytes in the data section (the config key table's std::functions,
# since replaced by function pointers, had 51 KB of them). The bindings keep RTTI: embind
# registers its types through typeid. Exceptions still carry their type_info.
target_compile_options(relu_engine PRIVATE -fno-rtti)
# layers/norm.cpp runs in every step of a normalised network, but its passes over z are a
# small share of the step next to the products (and are plain loops: -O3 would vectorise and
# unroll them into more download than they save time).
foreach(_cold layers/conv2d.cpp layers/pool2d.cpp layers/norm.cpp layers/unit_layer.cpp mlp.cpp)
  set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/engine/${_cold} PROPERTIES COMPILE_OPTIONS "-Os")
endforeach()
# The conv layer's training step (layers/conv2d_step.cpp) stays at -O3: at -Os it was a third
# of w3's time in V8 (Eigen's packet functions called, not inlined). Its short and cold loops
# are marked RELU_PLAIN_LOOP (simd_lanes.h): vectorised at -O3 they cost 1.5 KB of gzip.

# PUBLIC: everything that links relu_engine (the module, test programs) compiles the
# same way; the EH flag must match across all objects and the link.
# -flto: link-time optimisation across the engine's files. It keeps the same bits (no
# fast-math, and wasm has no FMA to contract into) and cut the gzipped module from 206 to
# 195 KB once convolutions were linked in (the first download's budget is 300 KB in all).
target_compile_options(relu_engine PUBLIC ${RELU_WASM_SIMD_FLAGS} ${RELU_WASM_EH_FLAG} -flto)
target_link_options(relu_engine PUBLIC ${RELU_WASM_EH_FLAG} -flto)

# ---------------------------------------------------------------------------
# 2. The module: relu_engine.js + relu_engine.wasm
# ---------------------------------------------------------------------------
# aligned_heap.c: 16-byte aligned malloc, so results do not depend on heap addresses
# (see the file). C, hence the language is enabled here.
enable_language(C)
add_executable(relu_engine_wasm ${_relu_bind_dir}/bindings.cpp ${_relu_bind_dir}/aligned_heap.c)
set_target_properties(relu_engine_wasm PROPERTIES OUTPUT_NAME relu_engine SUFFIX ".js")
target_link_libraries(relu_engine_wasm PRIVATE relu_engine)
target_compile_options(relu_engine_wasm PRIVATE -Wall -Wextra)
set_source_files_properties(${_relu_bind_dir}/aligned_heap.c PROPERTIES COMPILE_OPTIONS "-O2")
# The glue is cold too (see "Size" above): its bulk reads are copies.
set_source_files_properties(${_relu_bind_dir}/bindings.cpp PROPERTIES COMPILE_OPTIONS "-Os")
target_link_options(relu_engine_wasm PRIVATE
  -lembind
  -sMODULARIZE=1
  -sEXPORT_ES6=1
  -sEXPORT_NAME=createReluModule
  -sENVIRONMENT=web,worker,node
  -sDYNAMIC_EXECUTION=0
  -sFILESYSTEM=0
  -sALLOW_MEMORY_GROWTH=1
  -sMAXIMUM_MEMORY=${RELU_WASM_MAX_MEMORY}
  -sNODEJS_CATCH_EXIT=0
  -sNODEJS_CATCH_REJECTION=0
  -sINCOMING_MODULE_JS_API=[wasmBinary,locateFile,print,printErr,onAbort,nodeRequire]
  "SHELL:--pre-js ${_relu_bind_dir}/pre.js"
  $<$<CONFIG:Debug>:-sASSERTIONS=1>
  $<$<CONFIG:Debug>:-g>
  $<$<NOT:$<CONFIG:Debug>>:-O3>)
set_property(TARGET relu_engine_wasm APPEND PROPERTY LINK_DEPENDS ${_relu_bind_dir}/pre.js)

# ---------------------------------------------------------------------------
# 3. gemm_check: the gemm reference cases (tests/engine/gemm_cases.h) on the wasm
#    build, i.e. on the SIMD kernel. gemm_check.cjs: one file with the wasm inlined, for node
#    (tests/node/gemm.test.mjs runs it).
# ---------------------------------------------------------------------------
add_executable(gemm_check ${CMAKE_CURRENT_SOURCE_DIR}/tests/wasm/gemm_check.cpp)
target_include_directories(gemm_check PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/tests/engine)
target_link_libraries(gemm_check PRIVATE relu_engine)
set_target_properties(gemm_check PROPERTIES SUFFIX ".cjs")  # CommonJS glue; package.json says "module"
target_link_options(gemm_check PRIVATE -sSINGLE_FILE=1 -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -O3)

# gemm_bench: Eigen's product beside relu::gemm on the benchmark's layer shapes
# (bench/gemm_bench.cpp; not a test, so not built by default; bench/run.sh builds it):
#   cmake --build build-wasm --target gemm_bench && node build-wasm/gemm_bench.cjs
add_executable(gemm_bench EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench/gemm_bench.cpp)
target_link_libraries(gemm_bench PRIVATE relu_engine)
set_target_properties(gemm_bench PROPERTIES SUFFIX ".cjs")
target_link_options(gemm_bench PRIVATE -sSINGLE_FILE=1 -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -O3)
# conv_bench: the convolution's three products on the w3 layers (bench/conv_bench.cpp), the same way.
add_executable(conv_bench EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/bench/conv_bench.cpp)
target_link_libraries(conv_bench PRIVATE relu_engine)
set_target_properties(conv_bench PROPERTIES SUFFIX ".cjs")
target_link_options(conv_bench PRIVATE -sSINGLE_FILE=1 -sENVIRONMENT=node -sALLOW_MEMORY_GROWTH=1 -O3)

# engine_tests.cjs: the whole Catch2 engine suite (tests/engine) built for wasm and run
# by node (tests/node/engine-wasm.test.mjs), so the science is checked in the build users
# run, on its kernels and its libc++, not only natively. Catch2 is header-only; its
# directory is copied alone for the same reason as nlohmann's above.
find_path(_catch2_inc catch2/catch.hpp PATHS /usr/include NO_CMAKE_FIND_ROOT_PATH)
if(_catch2_inc)
  set(_catch_only "${CMAKE_BINARY_DIR}/catch2-only")
  if(NOT EXISTS "${_catch_only}/catch2/catch.hpp")
    file(COPY "${_catch2_inc}/catch2" DESTINATION "${_catch_only}")
  endif()
  file(GLOB _engine_test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/engine/*.cpp)
  add_executable(engine_tests_wasm ${_engine_test_sources} ${_relu_bind_dir}/aligned_heap.c)
  set_target_properties(engine_tests_wasm PROPERTIES OUTPUT_NAME engine_tests SUFFIX ".cjs")
  target_include_directories(engine_tests_wasm SYSTEM PRIVATE "${_catch_only}")
  target_link_libraries(engine_tests_wasm PRIVATE relu_engine)
  # The packed datasets, read through NODERAWFS (tests/engine/test_packed_data.cpp, goldens).
  target_compile_definitions(engine_tests_wasm PRIVATE RELU_DATA_DIR="${RELU_DATA_DIR}")
  if(TARGET datasets)
    add_dependencies(engine_tests_wasm datasets)
  endif()
  # tests/engine/test_reference.cpp reads these through NODERAWFS.
  target_compile_definitions(engine_tests_wasm PRIVATE RELU_REFERENCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}/tests/reference"
                             RELU_REFERENCE_REPORT="${CMAKE_BINARY_DIR}/reference-report-catch2.txt")
  # NODERAWFS: test_golden.cpp reads tests/golden/ from the source tree by absolute path
  # (RELU_SOURCE_DIR, set on that file in CMakeLists.txt).
  set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/tests/engine/test_golden.cpp PROPERTIES
                              COMPILE_DEFINITIONS RELU_SOURCE_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
  target_link_options(engine_tests_wasm PRIVATE -sSINGLE_FILE=1 -sENVIRONMENT=node -sNODERAWFS=1
                      -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -O2)
else()
  message(WARNING "wasm.cmake: catch2/catch.hpp not found; the engine suite is not built for wasm")
endif()
