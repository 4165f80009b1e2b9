# ladder_proto_library(NAME PROTOS files... [DEPS targets...] [GRPC])
#
# Generates C++ (and, with GRPC, the gRPC stubs) for .proto files under proto/
# and wraps them in one static library. Generated code keeps the proto's path,
# so it is included as "ladder/personnel/v1/personnel_service.pb.h".
function(ladder_proto_library name)
  cmake_parse_arguments(ARG "GRPC" "" "PROTOS;DEPS" ${ARGN})
  add_library(${name} STATIC)
  set(out_dir ${PROJECT_BINARY_DIR}/gen)
  file(MAKE_DIRECTORY ${out_dir})
  target_sources(${name} PRIVATE ${ARG_PROTOS})
  protobuf_generate(TARGET ${name} LANGUAGE cpp
    IMPORT_DIRS ${PROJECT_SOURCE_DIR}/proto
    PROTOC_OUT_DIR ${out_dir})
  if(ARG_GRPC)
    protobuf_generate(TARGET ${name} LANGUAGE grpc
      GENERATE_EXTENSIONS .grpc.pb.h .grpc.pb.cc
      PLUGIN "protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>"
      IMPORT_DIRS ${PROJECT_SOURCE_DIR}/proto
      PROTOC_OUT_DIR ${out_dir})
  endif()
  target_include_directories(${name} PUBLIC ${out_dir})
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(${name} PUBLIC gRPC::grpc++)
  endif()
endfunction()
