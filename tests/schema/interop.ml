(* SPDX-License-Identifier: MIT *)
(* OCaml side of the cross-language schema tests (schema-interop.sh).  The
   generated module under test is compiled as module S, the sample values
   come from sample.ml.  Commands: see interop.py. *)

open Sample

let () =
  match Array.to_list Sys.argv with
  | [ _; "layout" ] ->
    List.iter
      (fun (module M : S.MESSAGE) ->
        Printf.printf "%s size %d\n" M.name M.size;
        List.iter (fun (n, o, s) -> Printf.printf "%s.%s %d %d\n" M.name n o s) M.layout)
      S.messages
  | [ _; "sample" ] ->
    List.iter (fun (module M : S.MESSAGE) -> show M.name M.fields (M.to_values (M.of_values (sample_values (module M))))) S.messages
  | [ _; "encode"; file ] ->
    let oc = open_out_bin file in
    List.iter (fun (module M : S.MESSAGE) -> output_bytes oc (M.encode (M.of_values (sample_values (module M))))) S.messages;
    close_out oc
  | [ _; "decode"; file ] ->
    let ic = open_in_bin file in
    let data = Bytes.of_string (really_input_string ic (in_channel_length ic)) in
    close_in ic;
    let off =
      List.fold_left
        (fun off (module M : S.MESSAGE) ->
          if off + M.size > Bytes.length data then failwith "short file";
          show M.name M.fields (M.to_values (M.decode (Bytes.sub data off M.size)));
          off + M.size)
        0 S.messages
    in
    if off <> Bytes.length data then failwith "trailing bytes"
  | _ ->
    prerr_endline "usage: interop layout|sample|encode FILE|decode FILE";
    exit 2
