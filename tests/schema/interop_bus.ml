(* SPDX-License-Identifier: MIT *)
(* OCaml side of the bus interop tests (tests/suites/interop.sh): the bus
   commands of interop.py over the OCaml binding, with the generated module
   S and the sample values of sample.ml.

     interop_bus publish DOMAIN N        N samples of every type, schema order
     interop_bus receive DOMAIN N READY  subscribe, create READY, receive and
                                         print N messages of every type *)

open Sample
module M = Mycelium

let fail fmt = Printf.ksprintf (fun s -> prerr_endline ("interop-ml: " ^ s); exit 1) fmt

let open_bus domain =
  let bus = M.Bus.create ~name:"interop-ml" ~ring_domain:domain () in
  List.iter
    (fun (module X : S.MESSAGE) ->
      M.Bus.topic bus ~type_id:X.type_id ~policy:M.Lossless ~depth:64 ~max_size:X.size ())
    S.messages;
  bus

let publish domain n =
  let bus = open_bus domain in
  List.iter
    (fun (module X : S.MESSAGE) ->
      let pub = M.Publisher.create ~timeout_ms:10000 bus ~type_id:X.type_id in
      let b = X.encode (X.of_values (sample_values (module X))) in
      for _ = 1 to n do
        M.Publisher.send pub b
      done;
      M.Publisher.close pub)
    S.messages;
  M.Bus.close bus

let receive domain n ready =
  let bus = open_bus domain in
  let subs =
    List.map (fun (module X : S.MESSAGE) -> M.Subscriber.create bus ~type_id:X.type_id) S.messages
  in
  close_out (open_out ready);
  List.iter2
    (fun (module X : S.MESSAGE) sub ->
      for _ = 1 to n do
        match M.Subscriber.recv ~timeout_ms:10000 sub with
        | None -> fail "%s: nothing received" X.name
        | Some m ->
          if m.M.Subscriber.header.M.Frame.type_id <> X.type_id
             || Bytes.length m.M.Subscriber.payload <> X.size
          then fail "%s: wrong type or size" X.name;
          show X.name X.fields (X.to_values (X.decode m.M.Subscriber.payload))
      done)
    S.messages subs;
  flush stdout;
  M.Bus.close bus

let () =
  match Array.to_list Sys.argv with
  | [ _; "publish"; domain; n ] -> publish domain (int_of_string n)
  | [ _; "receive"; domain; n; ready ] -> receive domain (int_of_string n) ready
  | _ ->
    prerr_endline "usage: interop_bus publish DOMAIN N|receive DOMAIN N READY";
    exit 2
